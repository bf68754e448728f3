// One request function for the HTTP connectors: a timeout, brief retries of calls that are safe
// to repeat, `Retry-After` honoured, and every failure mapped to a ConnectorError.
//
// Credentials travel in the instance's headers and never reach an error: messages name the
// method and the path (no query string, which may carry personal data), and the cause attached
// to an error is a plain Error, never axios's, whose `config` holds the request headers.
import { Transform, type Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { ConnectorError, type ConnectorErrorCode } from './errors.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Query values; arrays repeat the key (`v[status_id][]=1&v[status_id][]=2`). */
export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

export interface HttpClientOptions {
  /** Names the external system in errors (`redmine: …`). */
  system: string;
  baseUrl: string;
  /** Sent with every request; where credentials go. */
  headers?: Record<string, string>;
  /** Per attempt; for a streamed response, also the longest silence while reading it. Default 15 s. */
  timeoutMs?: number;
  /** Further attempts of a safe call after a brief failure. Default 2, at most 3. */
  retries?: number;
  /** First backoff step; doubled each attempt, with jitter. Default 200 ms. */
  retryBaseDelayMs?: number;
  /** A longer `Retry-After` is not waited for: the error goes up with `retryAfterMs`. Default 10 s. */
  maxRetryAfterMs?: number;
}

export interface HttpRequest {
  method: HttpMethod;
  /** Relative to the base URL, starting with `/`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** Serialised as JSON. */
  json?: unknown;
  /** A raw body; give `contentType` with it, and `contentLength` when it is known. */
  body?: Buffer | NodeJS.ReadableStream;
  contentType?: string;
  contentLength?: number;
  headers?: Record<string, string>;
  /** Overrides the client's timeout for this call (a long upload). */
  timeoutMs?: number;
}

export interface HttpResponse<T> {
  status: number;
  headers: Record<string, string | undefined>;
  /** Parsed JSON; undefined for an empty body (204, most 201s without content). */
  data: T | undefined;
}

export interface HttpStreamResponse {
  status: number;
  headers: Record<string, string | undefined>;
  /** The body as it arrives; errors on it are ConnectorErrors too. */
  stream: Readable;
}

export interface HttpClient {
  /** A JSON call; the body type is the caller's claim about the remote system, not checked here. */
  json<T>(request: HttpRequest): Promise<HttpResponse<T>>;
  /** A call whose successful body is streamed, never buffered. */
  stream(request: HttpRequest): Promise<HttpStreamResponse>;
}

/**
 * A failure of an HTTP call. `details` holds the messages the server gave for it (for instance
 * Redmine's `errors` array on a 422), already in the message too.
 */
export class HttpError extends ConnectorError {
  override name = 'HttpError';
  constructor(
    system: string,
    code: ConnectorErrorCode,
    message: string,
    readonly method: HttpMethod,
    readonly path: string,
    readonly details: readonly string[] = [],
    status?: number,
    retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(system, code, message, status, retryAfterMs, options);
  }
}

const SAFE_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD']);
const RETRIED_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);
/** Errors of our own making (bad option, bad URL, cancelled): not the remote system's fault. */
const LOCAL_CODES: ReadonlySet<string> = new Set([
  'ERR_BAD_OPTION',
  'ERR_BAD_OPTION_VALUE',
  'ERR_INVALID_URL',
  'ERR_CANCELED',
  'ERR_FR_MAX_BODY_LENGTH_EXCEEDED',
]);
/** Bytes of an error body kept to find the server's messages in. */
const ERROR_BODY_LIMIT = 64 * 1024;

// Long as a whole: a factory of the request, retry and stream helpers sharing the options.
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const system = options.system;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retries = Math.max(0, Math.min(options.retries ?? 2, 3));
  const baseDelayMs = options.retryBaseDelayMs ?? 200;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 10_000;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  const instance: AxiosInstance = axios.create({
    baseURL: baseUrl,
    headers: { Accept: 'application/json', ...options.headers },
    // A redirect would carry the credentials to wherever it points.
    maxRedirects: 0,
    maxBodyLength: Infinity,
    maxContentLength: Infinity,
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
    // Bodies are parsed here, so that an empty or non-JSON answer is an error of ours.
    transformResponse: [(data: unknown) => data],
  });

  async function once(request: HttpRequest, responseType: 'text' | 'stream'): Promise<AxiosResponse<unknown>> {
    const headers: Record<string, string> = { ...request.headers };
    let data: unknown;
    if (request.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      data = JSON.stringify(request.json);
    } else if (request.body !== undefined) {
      headers['Content-Type'] = request.contentType ?? 'application/octet-stream';
      if (request.contentLength !== undefined) headers['Content-Length'] = String(request.contentLength);
      data = request.body;
    }
    try {
      return await instance.request<unknown>({
        method: request.method,
        url: request.path + queryString(request.query),
        headers,
        data,
        responseType,
        timeout: request.timeoutMs ?? timeoutMs,
      });
    } catch (err) {
      throw networkError(system, request, err);
    }
  }

  async function withRetries<T>(request: HttpRequest, attempt: () => Promise<T>): Promise<T> {
    // A streamed body cannot be sent twice.
    const repeatable = SAFE_METHODS.has(request.method) && !isStream(request.body);
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof ConnectorError) || !repeatable || n >= retries || !isBrief(err)) throw err;
        if (err.retryAfterMs !== undefined && err.retryAfterMs > maxRetryAfterMs) throw err;
        await sleep(err.retryAfterMs ?? backoff(baseDelayMs, n));
      }
    }
  }

  return {
    json<T>(request: HttpRequest): Promise<HttpResponse<T>> {
      return withRetries(request, async () => {
        const res = await once(request, 'text');
        const text = typeof res.data === 'string' ? res.data : '';
        if (res.status >= 300) throw statusError(system, request, res.status, headersOf(res), text);
        let data: T | undefined;
        if (text.trim() !== '') {
          try {
            data = JSON.parse(text) as T;
          } catch {
            throw new HttpError(
              system,
              'unexpected',
              `${describe(request)}: answered ${res.status} with a body that is not JSON`,
              request.method,
              request.path,
              [],
              res.status,
            );
          }
        }
        return { status: res.status, headers: headersOf(res), data };
      });
    },

    stream(request: HttpRequest): Promise<HttpStreamResponse> {
      return withRetries(request, async () => {
        const res = await once(request, 'stream');
        const body = res.data as Readable;
        if (res.status >= 300) {
          const text = await readSome(body, ERROR_BODY_LIMIT).catch(() => '');
          throw statusError(system, request, res.status, headersOf(res), text);
        }
        return {
          status: res.status,
          headers: headersOf(res),
          stream: watchStream(system, request, body, request.timeoutMs ?? timeoutMs),
        };
      });
    },
  };
}

/** Parses `Retry-After` (delta-seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

export function codeForStatus(status: number): ConnectorErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'unavailable';
  if (status >= 400) return 'invalid_request';
  return 'unexpected';
}

function isBrief(err: ConnectorError): boolean {
  if (err.code === 'rate_limited') return true;
  // A network failure (no status) or a gateway's brief trouble; a timeout is not repeated here,
  // it would only multiply the wait: the caller (Temporal) decides.
  return err.code === 'unavailable' && (err.status === undefined || RETRIED_STATUSES.has(err.status));
}

function backoff(baseMs: number, attempt: number): number {
  const ceiling = baseMs * 2 ** attempt;
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly (string | number)[]) params.append(key, String(item));
    } else {
      params.append(key, String(value));
    }
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function describe(request: HttpRequest): string {
  return `${request.method} ${request.path}`;
}

function headersOf(res: AxiosResponse<unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(res.headers as Record<string, unknown>)) {
    if (typeof value === 'string') out[key.toLowerCase()] = value;
    else if (Array.isArray(value)) out[key.toLowerCase()] = value.join(', ');
    else if (typeof value === 'number') out[key.toLowerCase()] = String(value);
  }
  return out;
}

/** The messages a server put in an error body: `{"errors": [...]}`, `{"error": "..."}` or short text. */
function serverMessages(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    if (parsed && typeof parsed === 'object') {
      const record = parsed as { errors?: unknown; error?: unknown; message?: unknown };
      if (Array.isArray(record.errors))
        return record.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
      if (typeof record.errors === 'string') return [record.errors];
      if (typeof record.error === 'string') return [record.error];
      if (typeof record.message === 'string') return [record.message];
    }
    return [];
  } catch {
    // An HTML error page says nothing useful; a short text may.
    return trimmed.startsWith('<') || trimmed.length > 300 ? [] : [trimmed];
  }
}

function statusError(
  system: string,
  request: HttpRequest,
  status: number,
  headers: Record<string, string | undefined>,
  text: string,
): HttpError {
  const code = codeForStatus(status);
  const details = serverMessages(text);
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(headers['retry-after']) : undefined;
  const message = `${describe(request)} answered ${status}${details.length > 0 ? `: ${details.join('; ')}` : ''}`;
  return new HttpError(system, code, message, request.method, request.path, details, status, retryAfterMs);
}

function networkError(system: string, request: HttpRequest, err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const { code, message } = errorFacts(err);
  const safeCause = new Error(code ? `${code}: ${message}` : message);
  if (code && TIMEOUT_CODES.has(code)) {
    return new HttpError(
      system,
      'timeout',
      `${describe(request)} timed out`,
      request.method,
      request.path,
      [],
      undefined,
      undefined,
      { cause: safeCause },
    );
  }
  const kind: ConnectorErrorCode = code && LOCAL_CODES.has(code) ? 'unexpected' : 'unavailable';
  return new HttpError(
    system,
    kind,
    `${describe(request)} failed: ${message}`,
    request.method,
    request.path,
    [],
    undefined,
    undefined,
    { cause: safeCause },
  );
}

/** Code and message of any thrown value, without keeping a reference to it. */
function errorFacts(err: unknown): { code: string | undefined; message: string } {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    return {
      code: typeof e.code === 'string' ? e.code : undefined,
      message: typeof e.message === 'string' ? e.message : 'unknown error',
    };
  }
  return { code: undefined, message: String(err) };
}

function isStream(body: HttpRequest['body']): boolean {
  return body !== undefined && !Buffer.isBuffer(body);
}

async function readSome(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    if (size < limit) chunks.push(buf.subarray(0, limit - size));
    size += buf.length;
    if (size >= limit) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Passes a response body through, turning its errors into ConnectorErrors and failing it when no
 * byte has moved for `idleMs` (a stalled server, or a reader that stopped reading).
 */
function watchStream(system: string, request: HttpRequest, source: Readable, idleMs: number): Readable {
  let timer: NodeJS.Timeout | undefined;
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      arm();
      callback(null, chunk);
    },
  });
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      out.destroy(
        new HttpError(
          system,
          'timeout',
          `${describe(request)}: no data for ${idleMs} ms`,
          request.method,
          request.path,
        ),
      );
    }, idleMs);
    timer.unref();
  };
  source.on('error', (err) => out.destroy(networkError(system, request, err)));
  out.on('close', () => {
    if (timer) clearTimeout(timer);
    // A reader that gives up early frees the connection.
    source.destroy();
  });
  source.pipe(out);
  arm();
  return out;
}
