// Redmine → Guichet: an issue's journals into its conversation. Public notes become staff
// messages (with their files), private notes never leave Redmine, notes deleted or made private
// in Redmine leave the client space, Guichet's own notes mark its messages delivered.
import { randomUUID } from 'node:crypto';
import { log } from '@temporalio/activity';
import type { Conversation, ConversationStatus, Message } from '../../db/database.js';
import { findMessage, storedAttachmentsOfMessage } from '../../db/conversations.js';
import {
  deleteMessage,
  insertMirroredJournal,
  markMessageDelivered,
  mirroredMessages,
  setConversationStatusIfChanged,
  updateMessageBody,
} from '../../db/redmine.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { noteMarkerRefs, stripNoteMarkers } from '../../connectors/redmine/notes.js';
import type { RedmineIssue, RedmineJournal } from '../../connectors/redmine/types.js';
import { staffDisplayName } from '../../app/conversations.js';
import type { RedmineActivityDeps } from './deps.js';
import { linkUploadedFiles } from './outbound-client.js';

/** The files a journal added, among the issue's attachments. */
function attachmentsOfJournal(journal: RedmineJournal, attachments: RedmineIssue['attachments']) {
  const found: NonNullable<RedmineIssue['attachments']> = [];
  for (const detail of journal.details) {
    if (detail.property !== 'attachment' || !detail.newValue) continue;
    const attachment = attachments?.find((a) => String(a.id) === detail.name);
    if (attachment) found.push(attachment);
  }
  return found;
}

export function createJournalSteps({ db, signals }: Pick<RedmineActivityDeps, 'db' | 'signals'>) {
  async function mirrorJournal(
    ctx: RedmineMirrorContext,
    conversation: { id: string; status: ConversationStatus },
    journal: RedmineJournal,
    existing: Message | undefined,
    attachments: RedmineIssue['attachments'],
  ): Promise<void> {
    if (journal.privateNotes) {
      // Made private after it was mirrored: it leaves the client space.
      if (existing) {
        await deleteMessage(db, existing.id);
        log.info('mirrored note made private: removed', { conversationId: conversation.id, journalId: journal.id });
      }
      return;
    }
    const body = stripNoteMarkers(journal.notes).trim();
    if (existing) {
      if (existing.body !== body) await updateMessageBody(db, existing.id, body);
      return;
    }
    const messageId = randomUUID();
    // The message and its files in one transaction: a page never shows one without the other.
    const inserted = await insertMirroredJournal(
      db,
      {
        id: messageId,
        conversationId: conversation.id,
        authorKind: 'staff',
        authorAccountId: null,
        authorDisplayName: staffDisplayName(journal.userName, ctx.staffNames, ctx.teamName),
        body,
        idempotencyKey: `redmine-journal-${journal.id}`,
        redmineJournalId: journal.id,
        createdAt: journal.createdOn,
      },
      attachmentsOfJournal(journal, attachments).map((a) => ({
        id: a.id,
        filename: a.filename,
        contentType: a.contentType,
        filesize: a.filesize,
      })),
    );
    if (!inserted) return;
    if (conversation.status === 'open') await setConversationStatusIfChanged(db, conversation.id, 'answered');
    await signals.staffAnswer(conversation.id, messageId, { fromRedmine: true });
  }

  /** The issue's journals into the conversation; notes deleted in Redmine leave it too. */
  async function mirrorJournals(ctx: RedmineMirrorContext, issue: RedmineIssue, conversation: Conversation) {
    const mirrored = await mirroredMessages(db, conversation.id);
    const seenJournals = new Set<number>();
    for (const journal of issue.journals ?? []) {
      seenJournals.add(journal.id);
      const refs = noteMarkerRefs(journal.notes);
      if (refs.length > 0) {
        // Guichet's own note: a client message delivered, or an internal event. Never mirrored back.
        for (const ref of refs) {
          const id = /^message-([0-9a-f-]{36})$/.exec(ref)?.[1];
          const message = id ? await findMessage(db, id) : undefined;
          if (message && message.redmine_journal_id === null) {
            // Found before the attempt that wrote it recorded it: its files are linked here too.
            await linkUploadedFiles(db, issue, journal.id, await storedAttachmentsOfMessage(db, message.id));
            await markMessageDelivered(db, message.id, journal.id);
          }
        }
        continue;
      }
      if (!journal.notes.trim()) continue;
      await mirrorJournal(ctx, conversation, journal, mirrored.get(journal.id), issue.attachments);
    }
    // Notes deleted in Redmine leave the client space too (only staff notes: a client's own
    // message stays theirs).
    for (const [journalId, message] of mirrored) {
      if (!seenJournals.has(journalId) && message.author_kind === 'staff') await deleteMessage(db, message.id);
    }
  }

  return { mirrorJournals };
}
