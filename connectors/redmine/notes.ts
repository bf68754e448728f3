// Guard against double notes: Redmine takes no idempotency key and answers a note with 204 and
// no journal id, so every note Guichet writes ends with a marker naming our own reference, and a
// retry looks for it in the journals before posting again.
//
// The marker is an HTML comment on a line of its own, after a blank line:
//
//     Bonjour, voici la réponse…
//
//     <!-- guichet:msg-42 -->
//
// - Redmine keeps notes as written: the API gives back the raw text, marker included, whatever the
//   text formatting, so the match is on raw text and does not depend on it.
// - Shown to staff, it is invisible with Textile (Redmine's default) and CommonMark (tried on
//   Redmine 5.0); the older "Markdown" (Redcarpet) formatter and plain-text notification mails
//   show it as a short literal line, which is harmless.
// - The blank line keeps it out of the paragraph, list or quote before it.
// - A line is a marker only when it is exactly that text (spaces around aside): a staff member's
//   quote of our note ("> <!-- guichet:… -->") does not count as the note itself.
// - Only the note's last line counts, where withNoteMarker puts it: a marker line further up is
//   text someone wrote, never ours.
// - Text Guichet writes into Redmine on someone's behalf (a client's message, subject, name, file
//   names, a Vilogi request) goes through neutralizeMarkers, which breaks every HTML comment
//   opener: a client can neither forge a marker (and stop the internal note of that reference
//   from being written, or mark another message delivered) nor hide text from staff in a comment.
// - References are restricted to letters, digits and `.`, `_`, `:`, `-` (no `--`, which would end
//   an HTML comment), at most 200 characters: UUIDs, `kind:id` pairs.

const REF_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._:]|-(?!-))*$/;
const MARKER_LINE = /^<!-- guichet:([A-Za-z0-9._:-]+) -->$/;
const MAX_REF_LENGTH = 200;

function checkRef(ref: string): void {
  if (ref.length > MAX_REF_LENGTH || !REF_PATTERN.test(ref) || ref.endsWith('-')) {
    throw new RangeError(
      `invalid Guichet note reference ${JSON.stringify(ref)}: letters, digits, . _ : and single - only, at most ${MAX_REF_LENGTH}`,
    );
  }
}

/** The marker line for a reference: `<!-- guichet:REF -->`. */
export function noteMarker(ref: string): string {
  checkRef(ref);
  return `<!-- guichet:${ref} -->`;
}

/** The opener of an HTML comment, `<!--`, whatever text hides it from a search of the raw note. */
const COMMENT_OPENER = /<!--/g;

/**
 * Text someone else wrote, made safe to put in a Redmine note, subject or description: each
 * `<!--` becomes `‹!--` (a single angle quotation mark), so no line of it is a marker and no part
 * of it is an HTML comment hidden from staff; staff read it as typed, near enough.
 */
export function neutralizeMarkers(text: string): string {
  return text.replace(COMMENT_OPENER, '\u2039!--');
}

/** The last line that is not blank. */
function lastLine(text: string): string {
  const lines = text.trimEnd().split(/\r?\n/);
  return (lines[lines.length - 1] ?? '').trim();
}

/** The note, neutralised, followed by a blank line and the marker. */
export function withNoteMarker(notes: string, ref: string): string {
  const marker = noteMarker(ref);
  const body = neutralizeMarkers(notes).trimEnd();
  return body === '' ? marker : `${body}\n\n${marker}`;
}

/** The reference of the note's marker (its last line), as a list: empty, or one. Also reads the
 * marker Guichet ends an issue description with. */
export function noteMarkerRefs(notes: string): string[] {
  const ref = MARKER_LINE.exec(lastLine(notes))?.[1];
  return ref === undefined ? [] : [ref];
}

export function hasNoteMarker(notes: string, ref: string): boolean {
  return lastLine(notes) === noteMarker(ref);
}

/** The first journal (lowest id) whose note carries the marker of `ref`. */
export function findNoteByMarker<J extends { id: number; notes: string }>(
  journals: readonly J[],
  ref: string,
): J | undefined {
  noteMarker(ref);
  return [...journals].sort((a, b) => a.id - b.id).find((j) => hasNoteMarker(j.notes, ref));
}

/** The note without its marker lines, for showing it elsewhere (the client space). */
export function stripNoteMarkers(notes: string): string {
  return notes
    .split(/\r?\n/)
    .filter((line) => !MARKER_LINE.test(line.trim()))
    .join('\n')
    .trimEnd();
}
