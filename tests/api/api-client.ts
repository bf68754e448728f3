// Helpers of the integration API tests: tokens made through the back-office use case, and a small
// client that calls the running server over real HTTP (fetch), as business software would.
import type { Db } from '../../db/connect.js';
import type { Account } from '../../db/database.js';
import { createApiToken } from '../../app/integration-api/tokens.js';

export async function makeToken(
  db: Db,
  admin: Account,
  options: { scope: 'read' | 'write'; spaces: Array<{ id: string }> | 'all'; name?: string },
): Promise<{ token: string; id: string }> {
  const { token, row } = await createApiToken(
    db,
    { id: admin.id, ip: null },
    {
      name: options.name ?? `test ${options.scope}`,
      scope: options.scope,
      allSpaces: options.spaces === 'all',
      spaceIds: options.spaces === 'all' ? [] : options.spaces.map((s) => s.id),
    },
  );
  return { token, id: row.id };
}

/** What fetch takes as a body. */
export type Body = NonNullable<RequestInit['body']>;

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export function apiClient(baseUrl: string, token: string | null) {
  return async function call(
    method: string,
    path: string,
    options: { json?: unknown; headers?: Record<string, string>; body?: Body; duplex?: boolean } = {},
  ): Promise<ApiAnswer> {
    const headers: Record<string, string> = {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...options.headers,
    };
    let body: Body | undefined = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(options.duplex ? { duplex: 'half' } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text, json: <T>() => JSON.parse(text) as T };
  };
}
