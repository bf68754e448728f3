// Guichet → Redmine: a client message's note on its issue, with its files uploaded (or linked
// when too large for Redmine), posted once (its message's marker) and recorded as delivered.
import { log } from '@temporalio/activity';
import { setRedmineAttachmentId, storedAttachmentsOfMessage } from '../../db/conversations.js';
import { markMessageDelivered } from '../../db/redmine.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { findNoteByMarker } from '../../connectors/redmine/notes.js';
import { sanitizeFilename } from '../../connectors/redmine/uploads.js';
import { isAttachmentTooLarge } from '../../connectors/redmine/errors.js';
import type { UploadToken } from '../../connectors/redmine/types.js';
import { staffNotes } from '../../i18n/notes/index.js';
import type { MessageRef } from '../conversations.js';
import type { RedmineActivityDeps } from './deps.js';

type StoredAttachment = Awaited<ReturnType<typeof storedAttachmentsOfMessage>>[number];

/** Records which Redmine attachment each uploaded file became (the note's files, by name and size). */
async function linkUploadedFiles(
  db: RedmineActivityDeps['db'],
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

export function createClientMessageSteps({
  db,
  publicUrl,
  storage,
}: Pick<RedmineActivityDeps, 'db' | 'publicUrl' | 'storage'>) {
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
    if (files.length > 0) await linkUploadedFiles(db, ctx, issueId, result.journalId, files);
    await markMessageDelivered(db, message.id, result.journalId);
  }

  return { deliverClientMessage };
}
