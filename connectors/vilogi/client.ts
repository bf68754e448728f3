// A typed client of the Vilogi extranet gateway contract (docs/vilogi-contract.md), on the shared
// HTTP helper: timeouts, brief retries of reads, Retry-After, ConnectorError. Writes (process,
// messages) are not retried here: they carry our reference, so Temporal may repeat them.
import type { Readable } from 'node:stream';
import { ConnectorError } from '../errors.js';
import { createHttpClient, type HttpClient } from '../http.js';
import type {
  ProcessInput,
  ProcessResult,
  PostMessageInput,
  VilogiClient,
  VilogiClientOptions,
  VilogiPage,
  VilogiRequest,
} from './types.js';

const SYSTEM = 'vilogi';
const BASE = '/api/v1/extranet-requests';

// --- the gateway's JSON, as far as we read it ----------------------------------------------------

interface RawRef {
  id: string;
  filedAt: string;
}

interface RawAttachment {
  id: string;
  fileName: string;
  contentType?: string | null;
  size: number;
}

interface RawRequest {
  id: string;
  filedAt: string;
  author?: { email?: string | null; name?: string | null } | null;
  building?: string | null;
  lot?: string | null;
  service?: string | null;
  subject?: string | null;
  body?: string | null;
  status: 'pending' | 'processed';
  attachments?: RawAttachment[] | null;
}

function unexpected(what: string): ConnectorError {
  return new ConnectorError(SYSTEM, 'unexpected', what);
}

function date(value: unknown, what: string): Date {
  const d = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw unexpected(`${what}: not a date`);
  return d;
}

function toRequest(raw: RawRequest): VilogiRequest {
  if (typeof raw.id !== 'string' || raw.id === '') throw unexpected('a request without an id');
  const email = raw.author?.email?.trim();
  return {
    id: raw.id,
    filedAt: date(raw.filedAt, `request ${raw.id} filedAt`),
    authorEmail: email ? email : null,
    authorName: raw.author?.name?.trim() ?? '',
    building: raw.building?.trim() || null,
    lot: raw.lot?.trim() || null,
    service: raw.service?.trim() ?? '',
    subject: raw.subject?.trim() ?? '',
    body: raw.body ?? '',
    status: raw.status === 'processed' ? 'processed' : 'pending',
    attachments: (raw.attachments ?? []).map((a) => ({
      id: String(a.id),
      fileName: a.fileName,
      contentType: a.contentType ?? 'application/octet-stream',
      size: a.size,
    })),
  };
}

function segment(id: string): string {
  if (id === '' || id.length > 100) throw new RangeError('invalid Vilogi id');
  return encodeURIComponent(id);
}

export function createVilogiClient(options: VilogiClientOptions): VilogiClient {
  const http: HttpClient = createHttpClient({
    system: SYSTEM,
    baseUrl: options.baseUrl,
    ...(options.apiKey ? { headers: { Authorization: `Bearer ${options.apiKey}` } } : {}),
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
  });

  return {
    async listPending({ after, limit } = {}): Promise<VilogiPage> {
      const res = await http.json<{ requests: RawRef[]; nextCursor?: string | null }>({
        method: 'GET',
        path: BASE,
        query: { status: 'pending', after, limit: Math.max(1, Math.min(limit ?? 100, 200)) },
      });
      if (!res.data || !Array.isArray(res.data.requests)) throw unexpected(`GET ${BASE}: no requests list`);
      return {
        requests: res.data.requests.map((r) => ({
          id: String(r.id),
          filedAt: date(r.filedAt, `request ${r.id} filedAt`),
        })),
        nextCursor: res.data.nextCursor ?? null,
      };
    },

    async getRequest(id: string): Promise<VilogiRequest | undefined> {
      try {
        const res = await http.json<{ request: RawRequest }>({ method: 'GET', path: `${BASE}/${segment(id)}` });
        if (!res.data?.request) throw unexpected(`GET ${BASE}/:id: no request`);
        return toRequest(res.data.request);
      } catch (err) {
        if (err instanceof ConnectorError && err.code === 'not_found') return undefined;
        throw err;
      }
    },

    async downloadAttachment(requestId: string, attachmentId: string): Promise<Readable> {
      const res = await http.stream({
        method: 'GET',
        path: `${BASE}/${segment(requestId)}/attachments/${segment(attachmentId)}`,
      });
      return res.stream;
    },

    async markProcessed(id: string, input: ProcessInput): Promise<ProcessResult> {
      const res = await http.json<{ eventId: string; processedAt: string }>({
        method: 'POST',
        path: `${BASE}/${segment(id)}/process`,
        json: {
          eventModel: input.eventModel,
          reference: input.reference,
          ...(input.comment ? { comment: input.comment } : {}),
        },
      });
      if (!res.data?.eventId) throw unexpected(`POST ${BASE}/:id/process: no event id`);
      return { eventId: res.data.eventId, processedAt: date(res.data.processedAt, 'processedAt') };
    },

    async postMessage(id: string, input: PostMessageInput): Promise<{ messageId: string }> {
      const res = await http.json<{ messageId: string }>({
        method: 'POST',
        path: `${BASE}/${segment(id)}/messages`,
        json: {
          reference: input.reference,
          author: input.author,
          from: input.from,
          body: input.body,
          sentAt: input.sentAt.toISOString(),
        },
      });
      if (!res.data?.messageId) throw unexpected(`POST ${BASE}/:id/messages: no message id`);
      return { messageId: res.data.messageId };
    },
  };
}
