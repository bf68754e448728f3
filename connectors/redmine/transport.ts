// The calls every part of the Redmine client goes through: one HTTP client with the API key,
// X-Redmine-Switch-User checked before any write on someone's behalf, JSON bodies, 404/403 read as
// "none" where a part asks for it, and paging.
import { ConnectorError } from '../errors.js';
import { HttpError, createHttpClient, type HttpClient, type HttpRequest, type QueryValue } from '../http.js';
import { SwitchUserError } from './errors.js';
import type { Paged, RawProject, RawUser } from './raw.js';
import type { ActAs, RedmineClientOptions } from './types.js';

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

// Long as a whole: a factory of short helpers sharing the HTTP client and the admin-key check.
export function createRedmineTransport(options: RedmineClientOptions): RedmineTransport {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const http: HttpClient = createHttpClient({
    system: SYSTEM,
    baseUrl,
    headers: { 'X-Redmine-API-Key': options.apiKey },
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: options.maxRetryAfterMs } : {}),
  });
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 120_000;
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
    try {
      const res = await http.json<T>({ ...request, headers: { ...request.headers, ...headers } });
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
