// Files: uploads (always with a Content-Length, a stream counted against its announced size,
// Redmine's size refusal recognised), attachments read and downloaded.
import { Transform, pipeline } from 'node:stream';
import { ConnectorError } from '../errors.js';
import { HttpError } from '../http.js';
import { toAttachment } from './convert.js';
import { AttachmentTooLargeError } from './errors.js';
import type { RawAttachment } from './raw.js';
import { SYSTEM, type RedmineTransport } from './transport.js';
import type { AttachmentDownload, RedmineAttachment, RedmineClient, UploadToken } from './types.js';

export type UploadCalls = Pick<RedmineClient, 'upload' | 'getAttachment' | 'downloadAttachment'>;

export function createUploadCalls(t: RedmineTransport): UploadCalls {
  return {
    async upload(
      filename: string,
      content: Buffer | NodeJS.ReadableStream,
      size?: number,
      contentType?: string,
    ): Promise<UploadToken> {
      const name = sanitizeFilename(filename);
      if (name.trim() === '') throw new ConnectorError(SYSTEM, 'invalid_request', 'an upload needs a file name');
      // Always with a Content-Length: Redmine under thin (Debian's package) does not decode a
      // chunked request body and stores the chunk framing, truncated, with a 201.
      const prepared = await uploadBody(content, size, t.maxBufferedUploadBytes);
      const { body, length, counter } = prepared;
      try {
        const res = await t.call<{ upload: { id?: number; token: string } }>({
          method: 'POST',
          path: '/uploads.json',
          query: { filename: name, ...(contentType ? { content_type: contentType } : {}) },
          body,
          // Anything else is refused with 406.
          contentType: 'application/octet-stream',
          contentLength: length,
          timeoutMs: t.uploadTimeoutMs,
        });
        if (!res?.upload.token)
          throw new ConnectorError(SYSTEM, 'unexpected', 'POST /uploads.json answered without a token');
        return { token: res.upload.token, filename: name, ...(contentType ? { contentType } : {}) };
      } catch (err) {
        // Stops reading the caller's stream (pipeline destroys it with the counter).
        counter?.destroy();
        const mismatch = prepared.mismatch();
        if (mismatch !== undefined) {
          throw new ConnectorError(
            SYSTEM,
            'invalid_request',
            `upload of "${name}" aborted: the stream gave ${mismatch}`,
            undefined,
            undefined,
            { cause: err },
          );
        }
        if (err instanceof HttpError && err.status === 422) {
          const refusal = tooLargeRefusal(err.details, length);
          if (refusal) {
            const limit =
              refusal.maxSize !== undefined ? `Redmine's limit of ${refusal.maxSize} bytes` : "Redmine's size limit";
            throw new AttachmentTooLargeError(
              `attachment too large: "${name}" (${length} bytes) is above ${limit}`,
              length,
              refusal.maxSize,
              422,
              { cause: err },
            );
          }
        }
        throw err;
      }
    },

    async getAttachment(id: number): Promise<RedmineAttachment | undefined> {
      const res = await t.orUndefinedOn(404, t.get<{ attachment: RawAttachment }>(`/attachments/${id}.json`));
      return res ? toAttachment(res.attachment) : undefined;
    },

    async downloadAttachment(id: number): Promise<AttachmentDownload> {
      const res = await t.http.stream({ method: 'GET', path: `/attachments/download/${id}` });
      const contentLength = res.headers['content-length'];
      const size = contentLength !== undefined && /^\d+$/.test(contentLength) ? Number(contentLength) : undefined;
      return {
        stream: res.stream,
        contentType:
          (res.headers['content-type'] ?? 'application/octet-stream').split(';')[0]?.trim() ||
          'application/octet-stream',
        ...(size !== undefined ? { size } : {}),
        filename: filenameFromDisposition(res.headers['content-disposition']) ?? `attachment-${id}`,
      };
    },
  };
}

/** What an upload sends: a buffer as it is, a stream of unknown size read into memory, or a
 * stream of announced size counted on its way (`mismatch` says how it broke its promise). */
async function uploadBody(
  content: Buffer | NodeJS.ReadableStream,
  size: number | undefined,
  maxBuffered: number,
): Promise<{
  body: Buffer | NodeJS.ReadableStream;
  length: number;
  counter?: Transform;
  mismatch: () => string | undefined;
}> {
  if (Buffer.isBuffer(content)) return { body: content, length: content.length, mismatch: () => undefined };
  if (size === undefined) {
    const body = await bufferUpload(content, maxBuffered);
    return { body, length: body.length, mismatch: () => undefined };
  }
  let mismatch: string | undefined;
  let counted = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      counted += chunk.length;
      if (counted > size) {
        mismatch = `more than the ${size} bytes announced`;
        callback(new Error(mismatch));
      } else callback(null, chunk);
    },
    flush(callback) {
      if (counted !== size) {
        mismatch = `${counted} bytes instead of the ${size} announced`;
        callback(new Error(mismatch));
      } else callback();
    },
  });
  pipeline(content, counter, () => undefined);
  return { body: counter, length: size, counter, mismatch: () => mismatch };
}

/**
 * Whether a 422 on an upload is Redmine's refusal of a too large file, and its limit if given. The
 * message, in whatever language the instance speaks, ends with the limit in bytes ("…maximum
 * allowed file size (5242880)"); the limit is set in KB, so it is a multiple of 1024, and we sent
 * more than that. Other 422s on uploads: a file name too long (255) or an extension refused.
 */
function tooLargeRefusal(details: readonly string[], sent: number): { maxSize: number | undefined } | undefined {
  for (const detail of details) {
    for (const match of detail.matchAll(/\d+/g)) {
      const n = Number(match[0]);
      if (n > 0 && n % 1024 === 0 && sent > n) return { maxSize: n };
    }
  }
  if (details.some((d) => /file size|too (big|large)|exceeds/i.test(d))) return { maxSize: undefined };
  return undefined;
}

/** The name Redmine will store: no directory, and `/ ? % * : | " ' < > CR LF` made `_` (as Attachment#sanitize_filename). */
export function sanitizeFilename(filename: string): string {
  return filename.replace(/^.*(\\|\/)/s, '').replace(/[/?%*:|"'<>\n\r]+/g, '_');
}

/** Reads a stream of unknown size into memory, up to a limit. */
async function bufferUpload(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) {
      throw new ConnectorError(
        SYSTEM,
        'invalid_request',
        `an upload of unknown size above ${limit} bytes: give its size to stream it`,
      );
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function filenameFromDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"((?:[^"\\]|\\.)*)"|filename\s*=\s*([^;]+)/.exec(header);
  const value = plain?.[1] ?? plain?.[2];
  return value?.trim();
}
