// Who may call each route, declared by the route itself (`config: { access }`) and enforced here,
// before any handler runs. A route registered without a declaration stops the app at start-up,
// so a new route cannot be open by mistake.
//
// - public: anyone (sign-in pages, assets, /health; /metrics, /dev/* and /invitation/:token
//   check their own secret or address in the handler);
// - client: a signed-in client (or a head of service's read-only view of one, plugins/client-view);
// - staff: a signed-in staff member; what they then see is limited to their spaces (request.staffScope);
// - admin: a staff member with the administrator flag;
// - apiToken:read / apiToken:write: business software with an integration API token
//   (`Authorization: Bearer gch_…`, no cookie) of at least that scope. The token is read afresh
//   from the database on every request, before the body is read (a revoked token is refused at
//   once, by every server process); which spaces it reaches is then the route's business
//   (request.apiToken.spaces: another space's resources answer 404). Every call is audited
//   (`api.request`: token, method, route, status; never bodies). Refusals are RFC 9457 problems:
//   401 with `WWW-Authenticate: Bearer`, 403 for a read token on a write route, 429 with
//   Retry-After once too many refused tokens came from one address or for one token prefix.
//
// Refused: pages redirect to the right sign-in (`?expire=1` when the session had ended), JSON
// callers get 401; staff without the administrator flag get the 403 page (JSON: 403).
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Account } from '../../db/database.js';
import { audit } from '../../db/audit.js';
import { findLiveApiToken, touchApiToken, type ApiScope, type LiveApiToken } from '../../db/api-tokens.js';
import { tokenDigest } from '../../domain/tokens.js';
import { RateLimitedError } from '../../app/rate-limits.js';
import { sendProblem } from '../problem.js';
import { pageContext, sendPage, translator } from '../context.js';
import { errorPage } from '../views/layout.js';

export const ACCESS_LEVELS = ['public', 'client', 'staff', 'admin', 'apiToken:read', 'apiToken:write'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

/** The scope an integration API route needs, or null for the other levels. */
export function apiScopeOf(access: Access | undefined): ApiScope | null {
  if (access === 'apiToken:read') return 'read';
  if (access === 'apiToken:write') return 'write';
  return null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route (server/plugins/access.ts); required on every route. */
    access?: Access;
  }
  interface FastifyRequest {
    /** The integration API token of an apiToken route (null elsewhere). */
    apiToken: LiveApiToken | null;
  }
  interface FastifyInstance {
    /** Every route registered so far with its declared level (for tests and audits). */
    routeAccess: ReadonlyArray<{ method: string; url: string; access: Access }>;
  }
}

/** Set on an encapsulated instance by `withAccess`: the level of the routes a third-party plugin registers in it. */
const SCOPE_ACCESS = Symbol('guichet.scopeAccess');
type Scoped = FastifyInstance & { [SCOPE_ACCESS]?: Access };

export class RouteAccessError extends Error {
  constructor(method: string | string[], url: string) {
    super(
      `route ${[method].flat().join(',')} ${url} declares no access level (config.access: ${ACCESS_LEVELS.join(' | ')})`,
    );
    this.name = 'RouteAccessError';
  }
}

/**
 * Registers routes that cannot carry a `config` of their own (@fastify/static's) under one
 * declared level: the declaration is made here, where they are registered.
 */
export async function withAccess(
  app: FastifyInstance,
  access: Access,
  register: (scope: FastifyInstance) => Promise<void>,
): Promise<void> {
  await app.register(async (scope) => {
    (scope as Scoped)[SCOPE_ACCESS] = access;
    await register(scope);
  });
}

/** The staff member of a 'staff' or 'admin' route (the preHandler guarantees one). */
export function staffOf(request: FastifyRequest): Account {
  if (!request.staff) throw new Error('staff route reached without a staff session');
  return request.staff;
}

/** The token of an apiToken route (the onRequest hook guarantees one). */
export function apiTokenOf(request: FastifyRequest): LiveApiToken {
  if (!request.apiToken) throw new Error('API route reached without a token');
  return request.apiToken;
}

/** The token in `Authorization: Bearer …`, if the header has that form. */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,200})$/i.exec(header.trim());
  return match?.[1];
}

/** How many characters of a refused token name its counter: the prefix and the hint's length. */
const TOKEN_PREFIX_KEY_LENGTH = 8;

/**
 * Counts a refused token (a request without an Authorization header guesses nothing and is not
 * counted) per address and per token prefix, in PostgreSQL (every server process counts the
 * same tries); the seconds to wait when either is past its limit. Only refusals are counted: a
 * valid token pays nothing here, and cannot be locked out by someone hammering its address or
 * its visible prefix. The lookup itself is by SHA-256 digest through a unique index: the time it
 * takes says nothing about how close a guess was.
 */
async function countRefusedToken(request: FastifyRequest, token: string | undefined): Promise<number | undefined> {
  if (request.headers.authorization === undefined) return undefined;
  const keys = [`ip:${request.ip}`];
  if (token) keys.push(`prefix:${token.slice(0, TOKEN_PREFIX_KEY_LENGTH)}`);
  try {
    await request.server.rateLimits.consume('apiTokenFailure', keys);
    return undefined;
  } catch (err) {
    if (err instanceof RateLimitedError) return err.retryAfterSeconds;
    throw err;
  }
}

/** The client of a 'client' route (the preHandler guarantees one). */
export function clientOf(request: FastifyRequest): Account {
  if (!request.client) throw new Error('client route reached without a client session');
  return request.client;
}

function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || (request.headers.accept ?? '').includes('application/json');
}

export async function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  access: Access,
): Promise<FastifyReply | undefined> {
  if (access === 'public') return undefined;
  // Decided in the onRequest hook, before the body is read.
  if (apiScopeOf(access)) return undefined;
  if (access === 'client') {
    if (request.client) return undefined;
    // Checked by the route's own query (plugins/auth `clientSessionInQuery`), which then refuses
    // through this same function when the session is not live.
    if (request.clientSessionToCheck) return undefined;
    if (wantsJson(request)) return reply.status(401).send({ message: translator(request).login.expired });
    return reply.redirect(request.sessionExpired === 'client' ? '/connexion?expire=1' : '/connexion');
  }
  const t = translator(request, 'staff');
  if (!request.staff) {
    if (wantsJson(request)) return reply.status(401).send({ message: t.access.staffSignInRequired });
    return reply.redirect(
      request.sessionExpired === 'staff' ? '/back-office/connexion?expire=1' : '/back-office/connexion',
    );
  }
  if (access === 'admin' && !request.staff.is_admin) {
    if (wantsJson(request)) return reply.status(403).send({ message: t.backoffice.adminOnly });
    return sendPage(
      reply,
      errorPage(pageContext(request, reply, { area: 'staff' }), '403', t.backoffice.adminOnly),
      403,
    );
  }
  return undefined;
}

export default fp(
  async (app) => {
    const declared: Array<{ method: string; url: string; access: Access }> = [];
    app.decorate('routeAccess', declared);
    app.addHook('onRoute', function (this: Scoped, route: RouteOptions) {
      const access = route.config?.access ?? this[SCOPE_ACCESS];
      if (!access || !ACCESS_LEVELS.includes(access)) throw new RouteAccessError(route.method, route.url);
      route.config = { ...route.config, access };
      for (const method of [route.method].flat()) declared.push({ method, url: route.url, access });
    });

    app.decorateRequest('apiToken', null);
    // Integration API routes: the token is checked before the body is read (an unknown caller's
    // upload is never streamed in), and read from the database every time (no cache to invalidate).
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const needed = apiScopeOf(request.routeOptions.config?.access);
      if (!needed) return;
      const { db } = request.server.deps;
      const t = translator(request).api;
      const token = bearerToken(request);
      const live = token ? await findLiveApiToken(db, tokenDigest(token)) : undefined;
      if (!live) {
        const wait = await countRefusedToken(request, token);
        if (wait !== undefined) {
          reply.header('retry-after', String(wait));
          return sendProblem(reply, 429, 'too-many-requests', t.tooManyRequests, t.tooManyRequestsDetail(wait));
        }
        return sendProblem(reply, 401, 'unauthorized', t.unauthorized, t.unauthorizedDetail);
      }
      request.apiToken = live;
      await touchApiToken(db, live.id);
      if (needed === 'write' && live.scope !== 'write')
        return sendProblem(reply, 403, 'forbidden', t.forbidden, t.forbiddenDetail);
      return undefined;
    });
    // Every use of a token, answered or refused, with no body.
    app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
      const token = request.apiToken;
      if (!token) return;
      await audit(request.server.deps.db, {
        actorAccountId: token.owner.id,
        actorKind: 'staff',
        action: 'api.request',
        subjectType: 'api_token',
        subjectId: token.id,
        ip: request.ip,
        details: { method: request.method, route: request.routeOptions.url ?? null, status: reply.statusCode },
      });
    });

    // After auth's preHandler (registered before this plugin), before the route's own (CSRF,
    // multipart): a refused caller's form is never read.
    app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
      const access = request.routeOptions.config?.access;
      // Not a route (the not-found handler): nothing to open.
      if (!access) return;
      if (await refuse(request, reply, access)) return reply;
    });
  },
  { name: 'access', dependencies: ['auth'] },
);
