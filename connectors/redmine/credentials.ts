// Signing in with Redmine: a person's login and password checked against Redmine itself, never
// with an API key in place of a login.
import { ConnectorError } from '../errors.js';
import { createHttpClient } from '../http.js';
import { toUser } from './convert.js';
import type { RawUser } from './raw.js';
import { SYSTEM } from './transport.js';
import type { RedmineUser } from './types.js';

/** Redmine's own rule for logins (User::LOGIN_LENGTH_LIMIT and its format validation). */
const REDMINE_LOGIN = /^[a-z0-9_\-@.]{1,60}$/i;
/** What a Redmine API key looks like (40 hex digits): Redmine takes one as a Basic-auth user name. */
const API_KEY_LIKE = /^[0-9a-f]{40}$/i;

/** Whether a typed login could be an API key: such a login never reaches Redmine. */
export function looksLikeApiKey(login: string): boolean {
  return API_KEY_LIKE.test(login.trim());
}

/**
 * Checks a person's Redmine login and password (`GET /users/current.json` with HTTP basic
 * authentication): their Redmine user when they match, undefined when Redmine refuses them
 * (wrong password, locked account). Redmine down throws a ConnectorError. The password is sent
 * once and kept nowhere; never retried, so that one attempt counts once against Redmine's
 * own lock-out.
 *
 * Redmine also accepts an API key as the Basic-auth user name, with any password: a login that
 * looks like a key is refused before any call, and the user Redmine answers with must carry the
 * login that was typed (Redmine compares logins without regard to case), so that a key (or
 * anything else Redmine might accept in place of a login) never signs anyone in.
 */
export async function verifyRedmineCredentials(
  options: { baseUrl: string; timeoutMs?: number },
  login: string,
  password: string,
): Promise<RedmineUser | undefined> {
  if (!REDMINE_LOGIN.test(login) || looksLikeApiKey(login) || password === '') return undefined;
  const http = createHttpClient({
    system: SYSTEM,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { Authorization: `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}` },
    timeoutMs: options.timeoutMs ?? 10_000,
    retries: 0,
  });
  try {
    const res = await http.json<{ user: RawUser }>({ method: 'GET', path: '/users/current.json' });
    if (!res.data?.user)
      throw new ConnectorError(SYSTEM, 'unexpected', 'GET /users/current.json answered with an empty body');
    const user = toUser(res.data.user);
    if (typeof user.login !== 'string' || user.login.toLowerCase() !== login.toLowerCase()) return undefined;
    return user;
  } catch (err) {
    // 401: wrong login or password; 403 would be a REST API switched off, which is Redmine's fault.
    if (err instanceof ConnectorError && err.status === 401) return undefined;
    throw err;
  }
}
