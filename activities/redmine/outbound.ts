// Guichet → Redmine: a client message becomes a note on the conversation's issue (created on the
// first one), with its files uploaded (or linked when too large for Redmine); a back-office answer
// a note in the staff member's name where Redmine allows it; internal events private notes. Each
// note carries its message's marker, so that a retry never posts it twice.
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { findAccountById } from '../../db/accounts.js';
import {
  findConversation,
  findMessage,
  setRedmineAttachmentId,
  storedAttachmentsOfMessage,
} from '../../db/conversations.js';
import { markMessageDelivered, settleUnmirroredMessage } from '../../db/redmine.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { findNoteByMarker } from '../../connectors/redmine/notes.js';
import { sanitizeFilename } from '../../connectors/redmine/uploads.js';
import { isAttachmentTooLarge, isSwitchUserError } from '../../connectors/redmine/errors.js';
import type { UploadToken } from '../../connectors/redmine/types.js';
import { staffNotes } from '../../i18n/notes/index.js';
import type { MessageRef } from '../conversations.js';
import type { RedmineActivityDeps } from './deps.js';
import { internalNoteText, writePrivateNote, type InternalNote } from './private-notes.js';

type StoredAttachment = Awaited<ReturnType<typeof storedAttachmentsOfMessage>>[number];

/** The server signals inside its transaction, so a message may not be visible for a moment; one
 * that is still missing after a few minutes was rolled back, and must not block the messages
 * queued behind it (Redmine steps otherwise retry without limit). */
function missingMessage(ref: MessageRef): ApplicationFailure {
  const message = `message ${ref.messageId} is not visible`;
  return Context.current().info.attempt >= 15
    ? ApplicationFailure.nonRetryable(`${message}: given up`, 'MessageGone')
    : ApplicationFailure.retryable(`${message} yet`, 'NotYetVisible');
}

// Long as a whole: a factory of short steps sharing the deps (each under 50 lines).
export function createOutboundSteps(
  { db, redmine, publicUrl, storage }: Pick<RedmineActivityDeps, 'db' | 'redmine' | 'publicUrl' | 'storage'>,
  ensureIssue: (ctx: RedmineMirrorContext, conversationId: string) => Promise<number | undefined>,
) {
  /**
   * Uploads the files of a client message for its note. A file above Redmine's size limit
   * (5120 KB by default, under the 10 MB clients may deposit) stays in Guichet: the note gets a
   * line with its back-office link instead. Tokens never attached (a crash before the note) are
   * pruned by Redmine after a day.
   */
  async function uploadFiles(ctx: RedmineMirrorContext, conversationId: string, files: StoredAttachment[]) {
    const uploads: UploadToken[] = [];
    const lines: string[] = [];
    for (const file of files) {
      const stream = await storage.get(file.storage_key);
      try {
        uploads.push(await ctx.client.upload(file.file_name, stream, file.size_bytes, file.content_type));
      } catch (err) {
        stream.destroy();
        if (!isAttachmentTooLarge(err)) throw err;
        lines.push(
          staffNotes().attachmentTooLargeForRedmine(
            file.file_name,
            file.size_bytes,
            `${publicUrl}/back-office/conversations/${conversationId}/pieces-jointes/${file.id}`,
          ),
        );
        log.info("attachment above Redmine's limit: linked from the note", {
          attachmentId: file.id,
          size: file.size_bytes,
        });
      }
    }
    return { uploads, lines };
  }

  /** Records which Redmine attachment each uploaded file became (the note's files, by name and size). */
  async function linkUploadedFiles(
    ctx: RedmineMirrorContext,
    issueId: number,
    journalId: number,
    files: StoredAttachment[],
  ): Promise<void> {
    const pending = files.filter((f) => f.redmine_attachment_id === null);
    if (pending.length === 0) return;
    const issue = await ctx.client.getIssue(issueId, { journals: true, attachments: true });
    const journal = issue?.journals?.find((j) => j.id === journalId);
    const ids = new Set(
      (journal?.details ?? []).filter((d) => d.property === 'attachment' && d.newValue !== null).map((d) => d.name),
    );
    const candidates = (issue?.attachments ?? []).filter((a) => ids.has(String(a.id))).sort((a, b) => a.id - b.id);
    for (const file of pending) {
      const index = candidates.findIndex(
        (a) => a.filename === sanitizeFilename(file.file_name) && a.filesize === file.size_bytes,
      );
      if (index < 0) continue; // too large for Redmine: linked from the note instead
      const [attachment] = candidates.splice(index, 1);
      if (attachment) await setRedmineAttachmentId(db, file.id, attachment.id);
    }
  }

  /** Not mirrored (no Redmine, or a space without a project): the message waits for nothing. */
  async function notMirrored(ref: MessageRef) {
    await settleUnmirroredMessage(db, ref.messageId);
    return { mirrored: false };
  }

  /** The client message's note (with its files), posted once; the message marked delivered. */
  async function deliverClientMessage(
    ctx: RedmineMirrorContext,
    ref: MessageRef,
    message: { id: string; body: string; author_display_name: string },
    issueId: number,
  ): Promise<void> {
    const noteRef = `message-${message.id}`;
    const files = await storedAttachmentsOfMessage(db, message.id);
    let prepared: Awaited<ReturnType<typeof uploadFiles>> = { uploads: [], lines: [] };
    if (files.length > 0) {
      // A retry after the note was written uploads nothing again.
      const issue = await ctx.client.getIssue(issueId, { journals: true });
      if (!findNoteByMarker(issue?.journals ?? [], noteRef))
        prepared = await uploadFiles(ctx, ref.conversationId, files);
    }
    const note = [
      message.body,
      ...(prepared.lines.length > 0 ? ['', ...prepared.lines] : []),
      '',
      staffNotes().clientMessageSignature(message.author_display_name),
    ].join('\n');
    const result = await ctx.client.addNoteOnce(issueId, noteRef, {
      notes: note,
      ...(prepared.uploads.length > 0 ? { uploads: prepared.uploads } : {}),
    });
    if (files.length > 0) await linkUploadedFiles(ctx, issueId, result.journalId, files);
    await markMessageDelivered(db, message.id, result.journalId);
  }

  return {
    /** Whether a client message has somewhere to go; without Redmine it is settled at once. */
    async needsMirror(ref: MessageRef): Promise<boolean> {
      if (redmine) return true;
      await notMirrored(ref);
      return false;
    },

    /** Posts a client message on the conversation's issue (created on the first one). */
    async mirrorClientMessage(ref: MessageRef): Promise<{ mirrored: boolean; issueId?: number }> {
      if (!redmine) return notMirrored(ref);
      const message = await findMessage(db, ref.messageId);
      if (!message) throw missingMessage(ref);
      const issueId = await ensureIssue(redmine, ref.conversationId);
      if (issueId === undefined) return notMirrored(ref);
      if (message.redmine_delivery !== 'delivered') await deliverClientMessage(redmine, ref, message, issueId);
      return { mirrored: true, issueId };
    },

    /** Posts a back-office answer on the issue, signed with the staff member's name. */
    async mirrorStaffAnswer(ref: MessageRef): Promise<{ mirrored: boolean }> {
      if (!redmine) return { mirrored: false };
      const message = await findMessage(db, ref.messageId);
      if (!message) throw missingMessage(ref);
      if (message.redmine_journal_id !== null) return { mirrored: true };
      const issueId = await ensureIssue(redmine, ref.conversationId);
      if (issueId === undefined) return { mirrored: false };
      const author = message.author_account_id ? await findAccountById(db, message.author_account_id) : undefined;
      const noteRef = `message-${message.id}`;
      // In the staff member's own name where Redmine allows it (an administrator's key and a
      // known login); otherwise as the integration user, signed with their name.
      if (redmine.adminKey && author?.redmine_login) {
        try {
          const result = await redmine.client.addNoteOnce(
            issueId,
            noteRef,
            { notes: message.body },
            { switchUser: author.redmine_login },
          );
          await markMessageDelivered(db, message.id, result.journalId);
          return { mirrored: true };
        } catch (err) {
          if (!isSwitchUserError(err)) throw err;
          log.warn('Redmine refused to switch user: posting as the integration user', { login: author.redmine_login });
        }
      }
      const result = await redmine.client.addNoteOnce(issueId, noteRef, {
        notes: `${message.body}\n\n— ${message.author_display_name}`,
      });
      await markMessageDelivered(db, message.id, result.journalId);
      return { mirrored: true };
    },

    /** An internal event, written on the issue as a private note (once per ref), in the notes'
     * language. `text` is the shape of workflows started before notes had kinds (a retry of theirs). */
    async writeInternalNote(
      input: { conversationId: string; ref: string } & ({ note: InternalNote } | { text: string }),
    ): Promise<{ written: boolean }> {
      if (!redmine) return { written: false };
      const conversation = await findConversation(db, input.conversationId);
      if (!conversation?.redmine_issue_id) return { written: false };
      const text = 'note' in input ? internalNoteText(input.note) : input.text;
      await writePrivateNote(db, redmine, {
        issueId: conversation.redmine_issue_id,
        ref: input.ref,
        text,
        conversationId: conversation.id,
      });
      return { written: true };
    },
  };
}
