// Notes (journals): posted as they are, or once per reference (the marker the note carries is
// looked for first, and the journal read back to tell whether Redmine kept it private).
import { ConnectorError } from '../errors.js';
import { rawUploads } from './convert.js';
import { findNoteByMarker, withNoteMarker } from './notes.js';
import { SYSTEM, type RedmineTransport } from './transport.js';
import type { ActAs, NewNote, NoteOnceResult, RedmineClient } from './types.js';

export type NoteCalls = Pick<RedmineClient, 'addNote' | 'addNoteOnce'>;

export function createNoteCalls(t: RedmineTransport, getIssue: RedmineClient['getIssue']): NoteCalls {
  async function addNote(issueId: number, note: NewNote, as?: ActAs): Promise<void> {
    if (note.notes.trim() === '')
      throw new ConnectorError(SYSTEM, 'invalid_request', 'an empty note would not make a journal');
    await t.call(
      {
        method: 'PUT',
        path: `/issues/${issueId}.json`,
        json: {
          issue: {
            notes: note.notes,
            ...(note.privateNotes ? { private_notes: true } : {}),
            ...(note.uploads ? { uploads: rawUploads(note.uploads) } : {}),
          },
        },
      },
      as,
    );
  }

  return {
    addNote,

    async addNoteOnce(issueId: number, ref: string, note: NewNote, as?: ActAs): Promise<NoteOnceResult> {
      const marked: NewNote = { ...note, notes: withNoteMarker(note.notes, ref) };
      const wantedPrivate = note.privateNotes === true;
      const lookup = async () => {
        const issue = await getIssue(issueId, { journals: true }, as);
        if (!issue) throw new ConnectorError(SYSTEM, 'not_found', `issue ${issueId} not found (or not visible)`, 404);
        return findNoteByMarker(issue.journals ?? [], ref);
      };
      const existing = await lookup();
      if (existing) {
        return {
          journalId: existing.id,
          privateNotes: existing.privateNotes,
          created: false,
          privacyDropped: wantedPrivate && !existing.privateNotes,
        };
      }
      await addNote(issueId, marked, as);
      const written = await lookup();
      if (!written) {
        throw new ConnectorError(
          SYSTEM,
          'unexpected',
          `note ${ref} was accepted on issue ${issueId} but is not among the journals read back`,
        );
      }
      return {
        journalId: written.id,
        privateNotes: written.privateNotes,
        created: true,
        privacyDropped: wantedPrivate && !written.privateNotes,
      };
    },
  };
}
