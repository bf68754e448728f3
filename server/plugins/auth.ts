// Sessions: a random token in an HttpOnly cookie, its digest in the database, ended after
// SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after sign-in whatever the
// activity. Clients and staff have separate cookies (names: server/cookies.ts).
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account, AccountKind } from '../../db/database.js';
import { createSession, deleteSession, findLiveSession, touchSession } from '../../db/sessions.js';
import { findLiveView, mayViewClientSpaces, type LiveClientView } from '../../db/client-views.js';
import { staffScopeOf, type StaffScope } from '../../db/staff-access.js';
import { newToken, tokenDigest } from '../../domain/tokens.js';
import { cookieNames } from '../cookies.js';

const NO_SPACE: StaffScope = { all: false, spaceIds: [] };
// Writing last_seen_at on every request would cost a write per page; a minute is precise enough.
const TOUCH_AFTER_MS = 60_000;

declare module 'fastify' {
  interface FastifyRequest {
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
    startSession(reply: FastifyReply, request: FastifyRequest, account: Account): Promise<void>;
    /** Sets or clears the view cookie, with the sessions' cookie options. */
    setViewCookie(reply: FastifyReply, token: string, maxAgeSeconds: number): void;
    clearViewCookie(reply: FastifyReply): void;
    endSession(reply: FastifyReply, request: FastifyRequest, kind: AccountKind): Promise<void>;
  }
}

export default fp(
  async (app) => {
    const { db, config } = app.deps;
    const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: config.cookieSecure };
    const names = cookieNames(config);
    const SESSION_COOKIES = names.session;
    const VIEW_COOKIE = names.view;
    const limits = { idleMinutes: config.SESSION_IDLE_MINUTES, maxHours: config.SESSION_MAX_HOURS };

    app.decorateRequest('client', null);
    app.decorateRequest('staff', null);
    app.decorateRequest('staffScope', null as unknown as { getter: () => StaffScope });
    app.decorateRequest('sessionExpired', null);
    app.decorateRequest('clientView', null);
    app.decorateRequest('clientViewEnded', false);

    app.addHook('preHandler', async (request: FastifyRequest) => {
      request.staffScope = NO_SPACE;
      for (const kind of ['client', 'staff'] as const) {
        const token = request.cookies[SESSION_COOKIES[kind]];
        if (!token) continue;
        const session = await findLiveSession(db, tokenDigest(token), kind, limits);
        if (!session) {
          request.sessionExpired = kind;
          continue;
        }
        if (Date.now() - session.lastSeenAt.getTime() > TOUCH_AFTER_MS) await touchSession(db, session.sessionId);
        request[kind] = session.account;
        if (kind === 'staff') request.staffScope = await staffScopeOf(db, session.account);
      }
      const viewToken = request.cookies[VIEW_COOKIE];
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
