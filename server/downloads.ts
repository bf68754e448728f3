// Sends an attachment, whoever asks (the routes check who may): streamed from Guichet's storage
// for deposited files, from Redmine for files of Redmine notes, with the headers of
// domain/downloads.ts (always a download, never shown inline), and every download is in the
// audit log.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Selectable } from 'kysely';
import { isStoredObjectNotFound } from '../connectors/storage/index.js';
import { audit } from '../db/audit.js';
import type { AccountKind, AttachmentsTable } from '../db/database.js';
import { downloadHeaders, isStoredInRedmine } from '../domain/downloads.js';

export type AttachmentRow = Selectable<AttachmentsTable>;

async function openAttachment(
  app: FastifyInstance,
  attachment: AttachmentRow,
): Promise<{ stream: Readable; size?: number } | undefined> {
  if (isStoredInRedmine(attachment.storage_key)) {
    const redmineId = attachment.redmine_attachment_id;
    if (redmineId === null || !app.deps.redmine) return undefined;
    const download = await app.deps.redmine.client.downloadAttachment(redmineId);
    return { stream: download.stream, ...(download.size !== undefined ? { size: download.size } : {}) };
  }
  try {
    return { stream: await app.deps.storage.get(attachment.storage_key), size: attachment.size_bytes };
  } catch (err) {
    if (isStoredObjectNotFound(err)) {
      app.log.error({ attachmentId: attachment.id }, 'a stored attachment has no file');
      return undefined;
    }
    throw err;
  }
}

export interface SendOptions {
  /** What the audit entry names (a case file, a case's document); by default the attachment. */
  subject?: { type: string; id: string; details?: Record<string, unknown> };
  /** Bytes sent instead of the stored file (a stamped copy); the stored file is left as it is. */
  content?: Uint8Array;
}

export async function sendAttachment(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  attachment: AttachmentRow | undefined,
  actor: { accountId: string; kind: AccountKind },
  options: SendOptions = {},
): Promise<FastifyReply> {
  const content = options.content;
  const opened = attachment
    ? content
      ? {
          stream: Readable.from([Buffer.from(content.buffer, content.byteOffset, content.byteLength)]),
          size: content.byteLength,
        }
      : await openAttachment(app, attachment)
    : undefined;
  if (!attachment || !opened) {
    reply.callNotFound();
    return reply;
  }
  try {
    await audit(app.deps.db, {
      actorAccountId: actor.accountId,
      actorKind: actor.kind,
      action: 'attachment.download',
      subjectType: options.subject?.type ?? 'attachment',
      subjectId: options.subject?.id ?? attachment.id,
      ip: request.ip,
      ...(options.subject?.details ? { details: options.subject.details } : {}),
    });
  } catch (err) {
    // No download that the log does not show.
    opened.stream.destroy();
    throw err;
  }
  for (const [name, value] of downloadHeaders(attachment.file_name, opened.size)) reply.header(name, value);
  return reply.send(opened.stream);
}
