// Several notes on one issue, each posted once, for the price of one write each: the journals
// are read at most once before the batch (only when an earlier attempt may have written some of
// them) and once after it (Redmine answers a note with 204 and no journal id, so the journal each
// note became is found by its marker in that one read). addNoteOnce (journals.ts) is the
// one-note form that always reads before and after.
import { ConnectorError } from '../errors.js';
import { findNoteByMarker, withNoteMarker } from './notes.js';
import { SYSTEM } from './transport.js';
import type { ActAs, NewNote, NoteOnceResult, RedmineClient, RedmineIssue } from './types.js';

export interface BatchNote {
  /** The note's reference: its marker (connectors/redmine/notes.ts). */
  ref: string;
  /** The note, or how to make it: called only when the note is to be posted (so that its files
   * are uploaded only then, never for a note an earlier attempt wrote). */
  note: NewNote | (() => Promise<NewNote>);
  /** Whether the note is to be private (read back to tell whether Redmine kept it so). */
  privateNotes?: boolean;
}

export interface NotesOnceOptions {
  /**
   * Read the journals before writing, to skip the notes an earlier attempt already wrote. Only a
   * caller that knows no earlier attempt can have written any of these references (the first
   * attempt of the one step that writes them) may pass false.
   */
  lookFirst: boolean;
  /** Read the issue's attachments back too (to tell which attachment each uploaded file became). */
  attachments?: boolean;
}

export interface NotesOnceResult {
  /** One per note, in the order given. */
  notes: NoteOnceResult[];
  /** The issue as read back after the batch (journals, and attachments when asked). */
  issue: RedmineIssue;
}

export type NoteBatchCalls = Pick<RedmineClient, 'addNotesOnce'>;

export function createNoteBatchCalls(
  addNote: RedmineClient['addNote'],
  getIssue: RedmineClient['getIssue'],
): NoteBatchCalls {
  async function readIssue(issueId: number, attachments: boolean, as: ActAs | undefined): Promise<RedmineIssue> {
    const issue = await getIssue(issueId, { journals: true, attachments }, as);
    if (!issue) throw new ConnectorError(SYSTEM, 'not_found', `issue ${issueId} not found (or not visible)`, 404);
    return issue;
  }

  return {
    async addNotesOnce(
      issueId: number,
      notes: readonly BatchNote[],
      options: NotesOnceOptions,
      as?: ActAs,
    ): Promise<NotesOnceResult> {
      if (new Set(notes.map((n) => n.ref)).size !== notes.length)
        throw new RangeError('a batch of notes names the same reference twice');
      const attachments = options.attachments === true;
      const before = options.lookFirst ? await readIssue(issueId, attachments, as) : undefined;
      const created = new Set<string>();
      // In the order given: one conversation's notes reach Redmine in the order they were written.
      for (const { ref, note: given } of notes) {
        if (before && findNoteByMarker(before.journals ?? [], ref)) continue;
        const note = typeof given === 'function' ? await given() : given;
        await addNote(issueId, { ...note, notes: withNoteMarker(note.notes, ref) }, as);
        created.add(ref);
      }
      const issue = created.size === 0 && before ? before : await readIssue(issueId, attachments, as);
      const results = notes.map(({ ref, note, privateNotes }) => {
        const journal = findNoteByMarker(issue.journals ?? [], ref);
        if (!journal)
          throw new ConnectorError(
            SYSTEM,
            'unexpected',
            `note ${ref} was ${created.has(ref) ? 'accepted' : 'found'} on issue ${issueId} but is not among the journals read back`,
          );
        const wantedPrivate = privateNotes === true || (typeof note !== 'function' && note.privateNotes === true);
        return {
          journalId: journal.id,
          privateNotes: journal.privateNotes,
          created: created.has(ref),
          privacyDropped: wantedPrivate && !journal.privateNotes,
        };
      });
      return { notes: results, issue };
    },
  };
}
