// Sessions: a random token in an HttpOnly cookie, its digest in the database, ended after
// SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after sign-in whatever the
// activity. Clients and staff have separate cookies (names: server/cookies.ts).
//
// A route that declares `config.clientSessionInQuery` checks the client's session in its own
// database query, beside its data, in one round trip (the client's conversation list, the most
// requested page): for it, this hook only leaves the session cookie's digest in
// `request.clientSessionToCheck`, and the route settles it with `settleClientSession`, which
// refuses exactly as the access check would have. The session is still read from the database
// on every request (never cached: another server process may have ended it).
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account, AccountKind } from '../../db/database.js';
import {
  createSession,
  deleteSession,
  findLiveSession,
  touchSession,
  type SessionLimits,
  type SessionWithAccount,
} from '../../db/sessions.js';
import { findLiveView, mayViewClientSpaces, type LiveClientView } from '../../db/client-views.js';
import { staffScopeOf, type StaffScope } from '../../db/staff-access.js';
import { newToken, tokenDigest } from '../../domain/tokens.js';
import type { Db } from '../../db/connect.js';
import { cookieNames } from '../cookies.js';
import { refuse } from './access.js';

const NO_SPACE: StaffScope = { all: false, spaceIds: [] };
// Writing last_seen_at on every request would cost a write per page; a minute is precise enough.
const TOUCH_AFTER_MS = 60_000;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route checks the client session in its own query (`request.clientSessionToCheck`,
     * then `settleClientSession`) instead of a lookup of its own before the handler. */
    clientSessionInQuery?: boolean;
  }
  interface FastifyRequest {
    /** On a `clientSessionInQuery` route: the digest of the client session cookie, not yet
     * checked; the route must check it in its query and call `settleClientSession`. */
    clientSessionToCheck: string | null;
    client: Account | null;
    staff: Account | null;
    /** The spaces the signed-in staff member sees (db/staff-access.ts); none without staff. */
    staffScope: StaffScope;
    /** A session cookie came with the request but its session had ended (idle or logged out). */
    sessionExpired: AccountKind | null;
    /** Set while a head of service views this client's space: `client` is then the viewed
     * client, and only the pages marked `clientView` are served, read-only (plugins/client-view). */
    clientView: LiveClientView | null;
    /** A view cookie came with the request but the view had ended or expired. */
    clientViewEnded: boolean;
  }
  interface FastifyInstance {
    /** The sessions' idle and absolute limits (SESSION_IDLE_MINUTES, SESSION_MAX_HOURS). */
    sessionLimits: SessionLimits;
    startSession(reply: FastifyReply, request: FastifyRequest, account: Account): Promise<void>;
    /** Sets or clears the view cookie, with the sessions' cookie options. */
    setViewCookie(reply: FastifyReply, token: string, maxAgeSeconds: number): void;
    clearViewCookie(reply: FastifyReply): void;
    endSession(reply: FastifyReply, request: FastifyRequest, kind: AccountKind): Promise<void>;
  }
}

/** Marks a session seen (at most once a minute: writing on every request would cost a write per page). */
async function keepAlive(db: Db, session: SessionWithAccount): Promise<void> {
  if (Date.now() - session.lastSeenAt.getTime() > TOUCH_AFTER_MS) await touchSession(db, session.sessionId);
}

/**
 * On a `clientSessionInQuery` route: takes what the route's query found for
 * `request.clientSessionToCheck` (the live session and its account, or nothing). A live session
 * becomes `request.client`, as the hook would have made it; none is refused as the access check
 * refuses (the sign-in page with `?expire=1`, or 401 for JSON), and the answer is sent: the
 * route then returns the reply. Returns the client, or undefined when refused.
 */
export async function settleClientSession(
  request: FastifyRequest,
  reply: FastifyReply,
  session: SessionWithAccount | undefined,
): Promise<Account | undefined> {
  request.clientSessionToCheck = null;
  if (!session) {
    request.sessionExpired = 'client';
    await refuse(request, reply, 'client');
    return undefined;
  }
  await keepAlive(request.server.deps.db, session);
  request.client = session.account;
  return session.account;
}

export default fp(
  async (app) => {
    const { db, config } = app.deps;
    const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.cookieSecure };
    const names = cookieNames(config);
    const SESSION_COOKIES = names.session;
    const VIEW_COOKIE = names.view;
    const limits = { idleMinutes: config.SESSION_IDLE_MINUTES, maxHours: config.SESSION_MAX_HOURS };

    app.decorate('sessionLimits', limits);
    app.decorateRequest('clientSessionToCheck', null);
    app.decorateRequest('client', null);
    app.decorateRequest('staff', null);
    app.decorateRequest('staffScope', null as unknown as { getter: () => StaffScope });
    app.decorateRequest('sessionExpired', null);
    app.decorateRequest('clientView', null);
    app.decorateRequest('clientViewEnded', false);

    app.addHook('preHandler', async (request: FastifyRequest) => {
      request.staffScope = NO_SPACE;
      const viewToken = request.cookies[VIEW_COOKIE];
      for (const kind of ['client', 'staff'] as const) {
        const token = request.cookies[SESSION_COOKIES[kind]];
        if (!token) continue;
        // A head of service's view (its cookie) takes the usual path: it replaces the client.
        if (kind === 'client' && !viewToken && request.routeOptions.config?.clientSessionInQuery === true) {
          request.clientSessionToCheck = tokenDigest(token);
          continue;
        }
        const session = await findLiveSession(db, tokenDigest(token), kind, limits);
        if (!session) {
          request.sessionExpired = kind;
          continue;
        }
        await keepAlive(db, session);
        request[kind] = session.account;
        if (kind === 'staff') request.staffScope = await staffScopeOf(db, session.account);
      }
      if (viewToken) {
        // Only with the staff session of the one who opened it, and while it lasts.
        const view =
          request.staff && mayViewClientSpaces(request.staff)
            ? await findLiveView(db, tokenDigest(viewToken), request.staff.id)
            : undefined;
        if (view) {
          request.client = view.client;
          request.clientView = view;
        } else request.clientViewEnded = true;
      }
    });

    app.decorate('startSession', async (reply: FastifyReply, request: FastifyRequest, account: Account) => {
      // A fresh token at each login: a token planted before login is worth nothing after it.
      const previous = request.cookies[SESSION_COOKIES[account.kind]];
      if (previous) await deleteSession(db, tokenDigest(previous));
      const token = newToken();
      await createSession(db, {
        id: tokenDigest(token),
        accountId: account.id,
        kind: account.kind,
        ip: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
      });
      reply.setCookie(SESSION_COOKIES[account.kind], token, cookieOptions);
    });

    app.decorate('setViewCookie', (reply: FastifyReply, token: string, maxAgeSeconds: number) => {
      reply.setCookie(VIEW_COOKIE, token, { ...cookieOptions, maxAge: maxAgeSeconds });
    });
    app.decorate('clearViewCookie', (reply: FastifyReply) => {
      reply.clearCookie(VIEW_COOKIE, cookieOptions);
    });

    app.decorate('endSession', async (reply: FastifyReply, request: FastifyRequest, kind: AccountKind) => {
      const token = request.cookies[SESSION_COOKIES[kind]];
      if (token) await deleteSession(db, tokenDigest(token));
      reply.clearCookie(SESSION_COOKIES[kind], cookieOptions);
    });
  },
  { name: 'auth', dependencies: ['deps', '@fastify/cookie'] },
);
