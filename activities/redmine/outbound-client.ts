// Guichet → Redmine: client messages' notes on their issue, with their files uploaded (or linked
// when too large for Redmine), each posted once (its message's marker) and recorded as delivered;
// a conversation's messages that wait together go as one batch (one PUT each, one read).
import { log } from '@temporalio/activity';
import { setRedmineAttachmentId, storedAttachmentsOfMessage } from '../../db/conversations.js';
import { markMessageDelivered } from '../../db/redmine.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { neutralizeMarkers } from '../../connectors/redmine/notes.js';
import { sanitizeFilename } from '../../connectors/redmine/uploads.js';
import { isAttachmentTooLarge } from '../../connectors/redmine/errors.js';
import type { NewNote, RedmineIssue, UploadToken } from '../../connectors/redmine/types.js';
import { staffNotes } from '../../i18n/notes/index.js';
import { escapeForRedmine } from '../../domain/redmine-text.js';
import type { RedmineActivityDeps } from './deps.js';

type StoredAttachment = Awaited<ReturnType<typeof storedAttachmentsOfMessage>>[number];
/** What a client message's note is made of. */
export interface ClientMessage {
  id: string;
  body: string;
  author_display_name: string;
}

/** Records which Redmine attachment each uploaded file became (the note's files, by name and
 * size), from the issue as read back after the batch (or by the poller, when it finds the note
 * first): no read of its own. */
export async function linkUploadedFiles(
  db: RedmineActivityDeps['db'],
  issue: RedmineIssue,
  journalId: number,
  files: StoredAttachment[],
): Promise<void> {
  const pending = files.filter((f) => f.redmine_attachment_id === null);
  if (pending.length === 0) return;
  const journal = issue.journals?.find((j) => j.id === journalId);
  const ids = new Set(
    (journal?.details ?? []).filter((d) => d.property === 'attachment' && d.newValue !== null).map((d) => d.name),
  );
  const candidates = (issue.attachments ?? []).filter((a) => ids.has(String(a.id))).sort((a, b) => a.id - b.id);
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

  /** The note of a client message: its text escaped for Redmine's formatter, the lines of files
   * too large for Redmine, the client's signature; its files uploaded (only when it is posted). */
  function clientNote(
    ctx: RedmineMirrorContext,
    conversationId: string,
    message: ClientMessage,
    files: StoredAttachment[],
  ) {
    return async (): Promise<NewNote> => {
      const prepared = files.length > 0 ? await uploadFiles(ctx, conversationId, files) : { uploads: [], lines: [] };
      // The client's text reaches staff as typed: escaped for Redmine's formatter.
      const formatting = ctx.textFormatting ?? 'textile';
      const notes = [
        escapeForRedmine(neutralizeMarkers(message.body), formatting),
        ...(prepared.lines.length > 0 ? ['', ...prepared.lines] : []),
        '',
        staffNotes().clientMessageSignature(
          escapeForRedmine(message.author_display_name, formatting, { inline: true }),
        ),
      ].join('\n');
      return { notes, ...(prepared.uploads.length > 0 ? { uploads: prepared.uploads } : {}) };
    };
  }

  /**
   * The notes of a conversation's client messages (with their files), in the order given, each
   * posted once; the messages marked delivered with the journal each became. One PUT per note,
   * one read of the journals after the batch, and one before only when `lookFirst` (an earlier
   * attempt may have written some: see mirrorClientMessages).
   */
  async function deliverClientMessages(
    ctx: RedmineMirrorContext,
    conversationId: string,
    messages: ClientMessage[],
    issueId: number,
    lookFirst: boolean,
  ): Promise<void> {
    if (messages.length === 0) return;
    const filesOf = new Map<string, StoredAttachment[]>();
    for (const message of messages) filesOf.set(message.id, await storedAttachmentsOfMessage(db, message.id));
    const withFiles = [...filesOf.values()].some((f) => f.length > 0);
    const { notes, issue } = await ctx.client.addNotesOnce(
      issueId,
      messages.map((message) => ({
        ref: `message-${message.id}`,
        note: clientNote(ctx, conversationId, message, filesOf.get(message.id) ?? []),
      })),
      { lookFirst, attachments: withFiles },
    );
    for (const [i, message] of messages.entries()) {
      const journalId = notes[i]!.journalId;
      const files = filesOf.get(message.id) ?? [];
      if (files.length > 0) await linkUploadedFiles(db, issue, journalId, files);
      await markMessageDelivered(db, message.id, journalId);
    }
  }

  return { deliverClientMessages };
}
