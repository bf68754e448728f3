// The calls every part of the Redmine client goes through: one HTTP client with the API key,
// X-Redmine-Switch-User checked before any write on someone's behalf, JSON bodies, 404/403 read as
// "none" where a part asks for it, and paging.
import { ConnectorError } from '../errors.js';
import { HttpError, createHttpClient, type HttpClient, type HttpRequest, type QueryValue } from '../http.js';
import { SwitchUserError } from './errors.js';
import type { Paged, RawProject, RawUser } from './raw.js';
import type { ActAs, RedmineCallObserver, RedmineClientOptions } from './types.js';

export const SYSTEM = 'redmine';
/** Redmine caps `limit` at 100. */
export const PAGE_SIZE = 100;

export interface RedmineTransport {
  baseUrl: string;
  http: HttpClient;
  uploadTimeoutMs: number;
  maxBufferedUploadBytes: number;
  call<T>(request: HttpRequest, as?: ActAs): Promise<T | undefined>;
  get<T>(path: string, query?: Record<string, QueryValue>, as?: ActAs): Promise<T>;
  orUndefinedOn<T>(status: number, promise: Promise<T>): Promise<T | undefined>;
  me(): Promise<RawUser>;
  allPages<K extends string, T>(path: string, key: K, query?: Record<string, QueryValue>): Promise<T[]>;
  projectNumericId(project: number | string): Promise<number>;
}

/** The resources a call's kind may name; anything else is `other` (labels stay few). */
const KNOWN_RESOURCES = new Set([
  'issues',
  'users',
  'projects',
  'uploads',
  'attachments',
  'journals',
  'groups',
  'memberships',
  'issue_statuses',
  'trackers',
  'custom_fields',
  'roles',
  'my',
]);

/** `GET /issues/12.json?…` → `issues_read`: the first path segment and the direction, no id. */
export function callKind(method: string, path: string): string {
  const first = /^\/*([a-z_]+)/.exec(path)?.[1] ?? '';
  const resource = KNOWN_RESOURCES.has(first) ? first : 'other';
  return `${resource}_${method === 'GET' || method === 'HEAD' ? 'read' : 'write'}`;
}

/** The HTTP client with every call reported to the observer (kind, outcome, duration). */
function observed(http: HttpClient, observer: RedmineCallObserver | undefined): HttpClient {
  if (!observer) return http;
  const report = (request: HttpRequest, started: number, err?: unknown) => {
    try {
      observer({
        kind: callKind(request.method, request.path),
        outcome: err === undefined ? 'ok' : err instanceof ConnectorError ? err.code : 'unexpected',
        seconds: (performance.now() - started) / 1000,
      });
    } catch {
      // An observer's failure is not the call's.
    }
  };
  const wrap =
    <R>(run: (request: HttpRequest) => Promise<R>) =>
    async (request: HttpRequest): Promise<R> => {
      const started = performance.now();
      try {
        const result = await run(request);
        report(request, started);
        return result;
      } catch (err) {
        report(request, started, err);
        throw err;
      }
    };
  return {
    json: <T>(request: HttpRequest) => wrap((r) => http.json<T>(r))(request),
    stream: (request: HttpRequest) => wrap((r) => http.stream(r))(request),
  };
}

// Long as a whole: a factory of short helpers sharing the HTTP client and the admin-key check.
export function createRedmineTransport(options: RedmineClientOptions): RedmineTransport {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const http: HttpClient = observed(
    createHttpClient({
      system: SYSTEM,
      baseUrl,
      headers: { 'X-Redmine-API-Key': options.apiKey },
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
      ...(options.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: options.maxRetryAfterMs } : {}),
    }),
    options.observer,
  );
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 120_000;
  const writeTimeoutMs = options.writeTimeoutMs ?? 60_000;
  const maxBufferedUploadBytes = options.maxBufferedUploadBytes ?? 32 * 1024 * 1024;

  let adminKey: Promise<boolean> | undefined;

  /** Redmine ignores X-Redmine-Switch-User from a non-administrator: refuse before writing as the wrong user. */
  async function switchHeaders(as: ActAs | undefined): Promise<Record<string, string>> {
    const login = as?.switchUser;
    if (login === undefined) return {};
    // An empty header is no header to Redmine: the call would run as the key's own user.
    if (login.trim() === '') throw new SwitchUserError(login, 'unknown_user');
    adminKey ??= me().then(
      (u) => u.admin === true,
      (err: unknown) => {
        adminKey = undefined;
        throw err;
      },
    );
    if (!(await adminKey)) throw new SwitchUserError(login, 'not_admin');
    return { 'X-Redmine-Switch-User': login };
  }

  async function call<T>(request: HttpRequest, as?: ActAs): Promise<T | undefined> {
    const headers = await switchHeaders(as);
    const write = request.method !== 'GET' && request.method !== 'HEAD';
    try {
      const res = await http.json<T>({
        ...request,
        headers: { ...request.headers, ...headers },
        ...(write && request.timeoutMs === undefined ? { timeoutMs: writeTimeoutMs } : {}),
      });
      return res.data;
    } catch (err) {
      if (err instanceof HttpError && err.status === 412 && as?.switchUser !== undefined) {
        throw new SwitchUserError(as.switchUser, 'unknown_user', 412, { cause: err });
      }
      throw err;
    }
  }

  async function get<T>(path: string, query?: Record<string, QueryValue>, as?: ActAs): Promise<T> {
    const data = await call<T>({ method: 'GET', path, ...(query ? { query } : {}) }, as);
    if (data === undefined) throw new ConnectorError(SYSTEM, 'unexpected', `GET ${path} answered with an empty body`);
    return data;
  }

  async function orUndefinedOn<T>(status: number, promise: Promise<T>): Promise<T | undefined> {
    try {
      return await promise;
    } catch (err) {
      if (err instanceof ConnectorError && err.status === status) return undefined;
      throw err;
    }
  }

  function me(): Promise<RawUser> {
    return get<{ user: RawUser }>('/users/current.json').then((r) => r.user);
  }

  async function allPages<K extends string, T>(
    path: string,
    key: K,
    query: Record<string, QueryValue> = {},
  ): Promise<T[]> {
    const items: T[] = [];
    for (let offset = 0; ;) {
      const page = await get<Paged<K, T>>(path, { ...query, limit: PAGE_SIZE, offset });
      const batch = page[key];
      items.push(...batch);
      offset += batch.length;
      if (batch.length === 0 || page.total_count === undefined || offset >= page.total_count) return items;
    }
  }

  async function projectNumericId(project: number | string): Promise<number> {
    if (typeof project === 'number') return project;
    if (/^\d+$/.test(project)) return Number(project);
    const res = await get<{ project: RawProject }>(`/projects/${encodeURIComponent(project)}.json`);
    return res.project.id;
  }

  return {
    baseUrl,
    http,
    uploadTimeoutMs,
    maxBufferedUploadBytes,
    call,
    get,
    orUndefinedOn,
    me,
    allPages,
    projectNumericId,
  };
}
