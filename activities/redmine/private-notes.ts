// Private notes: every private note Guichet writes goes through writePrivateNote (once per ref,
// and checked to have stayed private); the internal events workflows ask to note, by kind.
import { log } from '@temporalio/activity';
import type { Db } from '../../db/connect.js';
import { audit } from '../../db/audit.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { staffNotes } from '../../i18n/notes/index.js';

/** Writes a private note once and checks that Redmine kept it private (it silently publishes
 * notes of a user without "set notes private"): every private note Guichet writes goes here. */
export async function writePrivateNote(
  db: Db,
  ctx: RedmineMirrorContext,
  note: {
    issueId: number;
    ref: string;
    text: string;
    conversationId: string;
    subjectType?: 'conversation' | 'case';
    /** False only when no earlier attempt can have written this reference (the first attempt of
     * the one step that writes it): the journals are then read once, after the note, not before. */
    lookFirst?: boolean;
  },
): Promise<void> {
  const wanted = { notes: note.text, privateNotes: true };
  const result =
    note.lookFirst === false
      ? (await ctx.client.addNotesOnce(note.issueId, [{ ref: note.ref, note: wanted }], { lookFirst: false })).notes[0]!
      : await ctx.client.addNoteOnce(note.issueId, note.ref, wanted);
  if (!result.privateNotes) {
    // The note is public in Redmine. Guichet never mirrors its own notes back, but staff must know.
    log.error('Redmine published a private note', {
      issueId: note.issueId,
      journalId: result.journalId,
      ref: note.ref,
    });
    await audit(db, {
      actorAccountId: null,
      actorKind: 'system',
      action: 'redmine.private_note_published',
      subjectType: note.subjectType ?? 'conversation',
      subjectId: note.conversationId,
      details: { issueId: note.issueId, journalId: result.journalId },
    });
  }
}

/** The internal events a workflow asks to note on the issue (workflows cannot hold the texts). */
export type InternalNote = { kind: 'acknowledgement' };

/** The text of an internal event's note, in the notes' language. */
export function internalNoteText(note: InternalNote): string {
  switch (note.kind) {
    case 'acknowledgement':
      return staffNotes().acknowledgementSent;
  }
}
