// Sends an attachment, whoever asks (the routes check who may): streamed from Guichet's storage
// for deposited files, from Redmine for files of Redmine notes, with the headers of
// domain/downloads.ts (always a download, never shown inline), and every download is in the
// audit log. Files kept by Guichet answer one `Range: bytes=…` (206, or 416 past the end), read
// from the storage as a range: a download cut off can be resumed.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Selectable } from 'kysely';
import { isStoredObjectNotFound, type ByteRange } from '../connectors/storage/index.js';
import { audit } from '../db/audit.js';
import type { AccountKind, AttachmentsTable } from '../db/database.js';
import { downloadHeaders, isStoredInRedmine } from '../domain/downloads.js';

export type AttachmentRow = Selectable<AttachmentsTable>;

/**
 * The one range of a `Range` header over `size` bytes (RFC 9110 14.1.2: `a-b`, `a-`, `-n`), with
 * its end clamped; `'unsatisfiable'` when it starts past the end; undefined for no header, or
 * one this server does not honour (several ranges, another unit, a malformed one): then the
 * whole file is sent, as the RFC allows.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): Required<ByteRange> | 'unsatisfiable' | undefined {
  const match = header === undefined ? null : /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const last = match[2] === '' ? undefined : Number(match[2]);
  if (last !== undefined && last < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(last ?? size - 1, size - 1) };
}

async function openAttachment(
  app: FastifyInstance,
  attachment: AttachmentRow,
  range: ByteRange | undefined,
): Promise<{ stream: Readable; size?: number } | undefined> {
  if (isStoredInRedmine(attachment.storage_key)) {
    const redmineId = attachment.redmine_attachment_id;
    if (redmineId === null || !app.deps.redmine) return undefined;
    const download = await app.deps.redmine.client.downloadAttachment(redmineId);
    return { stream: download.stream, ...(download.size !== undefined ? { size: download.size } : {}) };
  }
  try {
    return { stream: await app.deps.storage.get(attachment.storage_key, range), size: attachment.size_bytes };
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
  if (!attachment) {
    reply.callNotFound();
    return reply;
  }
  // Ranges of the files Guichet keeps (their size known beforehand); not of Redmine's, nor of a
  // generated copy (a stamp made per download: two ranges could come from two different copies).
  // A conditional range (If-Range) gets the whole file, there being no validator to compare.
  const rangeable = content === undefined && !isStoredInRedmine(attachment.storage_key);
  const fullSize = content ? content.byteLength : attachment.size_bytes;
  const range =
    rangeable && request.headers['if-range'] === undefined ? parseRange(request.headers.range, fullSize) : undefined;
  if (range === 'unsatisfiable') {
    reply.code(416).header('content-range', `bytes */${fullSize}`).header('cache-control', 'private, no-store');
    return reply.send();
  }
  const opened = content
    ? {
        stream: Readable.from([Buffer.from(content.buffer, content.byteOffset, content.byteLength)]),
        size: content.byteLength,
      }
    : await openAttachment(app, attachment, range);
  if (!opened) {
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
  const sentSize = range ? range.end - range.start + 1 : opened.size;
  for (const [name, value] of downloadHeaders(attachment.file_name, sentSize)) reply.header(name, value);
  if (rangeable) reply.header('accept-ranges', 'bytes');
  if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${fullSize}`);
  return reply.send(opened.stream);
}
