// Processing a request's notification in Vilogi ("Espace client"), once, after Guichet has it
// where staff work: the conversation's issue (with a private note of the request's origin) or the
// triage issue; Vilogi's write carries our reference.
import { findConversation } from '../../db/conversations.js';
import { findVilogiRequest, setVilogiProcessed, slugOfSpace } from '../../db/vilogi.js';
import { VILOGI_EVENT_MODEL } from '../../connectors/vilogi/index.js';
import { staffNotes } from '../../i18n/notes/index.js';
import { writePrivateNote } from '../redmine.js';
import type { ProcessOutcome, VilogiActivityDeps, VilogiSettings } from './deps.js';
import { originLines } from './origin.js';

export function createProcessSteps(
  { db, redmine }: Pick<VilogiActivityDeps, 'db' | 'redmine'>,
  settings: () => VilogiSettings,
) {
  async function spaceMapped(spaceId: string): Promise<boolean> {
    const slug = await slugOfSpace(db, spaceId);
    return slug !== undefined && redmine?.projectIdBySlug.has(slug) === true;
  }

  /** Vilogi's reference and comment for a conversation's request; undefined while it waits for
   * its issue. */
  async function conversationOutcome(
    row: NonNullable<Awaited<ReturnType<typeof findVilogiRequest>>>,
  ): Promise<{ reference: string; comment: string } | undefined> {
    const conversation = row.conversation_id ? await findConversation(db, row.conversation_id) : undefined;
    if (!conversation) throw new Error('its conversation is gone');
    const mapped = redmine && row.space_id ? await spaceMapped(row.space_id) : false;
    // The seed's order: the message is in Redmine, then the notification is processed.
    if (mapped && conversation.redmine_issue_id === null) return undefined;
    if (redmine && conversation.redmine_issue_id !== null) {
      await writePrivateNote(db, redmine, {
        issueId: conversation.redmine_issue_id,
        ref: `vilogi-origin-${row.vilogi_id}`,
        text: [
          ...originLines({
            ...row,
            filedAt: row.filed_at,
            authorName: row.author_name,
            authorEmail: row.author_email,
          }),
          staffNotes().vilogiNotificationProcessed(VILOGI_EVENT_MODEL),
        ].join('\n'),
        conversationId: conversation.id,
      });
      return {
        reference: `redmine-issue-${conversation.redmine_issue_id}`,
        comment: staffNotes().vilogiSentToRedmine(conversation.redmine_issue_id),
      };
    }
    return { reference: `guichet-conversation-${conversation.id}`, comment: staffNotes().vilogiSentToClientSpace };
  }

  async function processOne(id: string): Promise<ProcessOutcome> {
    const row = await findVilogiRequest(db, id);
    if (!row) throw new Error('not imported yet');
    if (row.processed_at !== null) return 'already';
    let outcome: { reference: string; comment: string } | undefined;
    if (row.kind === 'conversation') {
      outcome = await conversationOutcome(row);
      if (!outcome) return 'waiting';
    } else {
      if (redmine && settings().triageProjectId !== undefined && row.redmine_issue_id === null) return 'waiting';
      outcome = {
        reference:
          row.redmine_issue_id !== null ? `redmine-issue-${row.redmine_issue_id}` : `guichet-triage-${row.vilogi_id}`,
        comment:
          row.redmine_issue_id !== null
            ? staffNotes().vilogiTriageInRedmine(row.redmine_issue_id)
            : staffNotes().vilogiTriageInGuichet,
      };
    }
    const result = await settings().client.markProcessed(id, { eventModel: VILOGI_EVENT_MODEL, ...outcome });
    await setVilogiProcessed(db, id, result.eventId, result.processedAt);
    return 'processed';
  }

  return { processOne };
}
