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
// - References are restricted to letters, digits and `.`, `_`, `:`, `-` (no `--`, which would end
//   an HTML comment), at most 200 characters: UUIDs, `kind:id` pairs.

const REF_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._:]|-(?!-))*$/;
const MARKER_LINE = /^<!-- guichet:([A-Za-z0-9._:-]+) -->$/;
const MAX_REF_LENGTH = 200;

function checkRef(ref: string): void {
  if (ref.length > MAX_REF_LENGTH || !REF_PATTERN.test(ref) || ref.endsWith('-')) {
    throw new RangeError(`invalid Guichet note reference ${JSON.stringify(ref)}: letters, digits, . _ : and single - only, at most ${MAX_REF_LENGTH}`);
  }
}

/** The marker line for a reference: `<!-- guichet:REF -->`. */
export function noteMarker(ref: string): string {
  checkRef(ref);
  return `<!-- guichet:${ref} -->`;
}

/** The note followed by a blank line and the marker. */
export function withNoteMarker(notes: string, ref: string): string {
  const marker = noteMarker(ref);
  const body = notes.trimEnd();
  return body === '' ? marker : `${body}\n\n${marker}`;
}

/** The references of the marker lines in a note, in order. */
export function noteMarkerRefs(notes: string): string[] {
  const refs: string[] = [];
  for (const line of notes.split(/\r?\n/)) {
    const match = MARKER_LINE.exec(line.trim());
    if (match?.[1] !== undefined) refs.push(match[1]);
  }
  return refs;
}

export function hasNoteMarker(notes: string, ref: string): boolean {
  const marker = noteMarker(ref);
  return notes.split(/\r?\n/).some((line) => line.trim() === marker);
}

/** The first journal (lowest id) whose note carries the marker of `ref`. */
export function findNoteByMarker<J extends { id: number; notes: string }>(journals: readonly J[], ref: string): J | undefined {
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
