// Who may call each route, declared by the route itself (`config: { access }`) and enforced here,
// before any handler runs. A route registered without a declaration stops the app at start-up,
// so a new route cannot be open by mistake.
//
// - public: anyone (sign-in pages, assets, /health; /metrics, /dev/* and /invitation/:token
//   check their own secret or address in the handler);
// - client: a signed-in client (or a head of service's read-only view of one, plugins/client-view);
// - staff: a signed-in staff member; what they then see is limited to their spaces (request.staffScope);
// - admin: a staff member with the administrator flag.
//
// Refused: pages redirect to the right sign-in (`?expire=1` when the session had ended), JSON
// callers get 401; staff without the administrator flag get the 403 page (JSON: 403).
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Account } from '../../db/database.js';
import { pageContext, sendPage, translator } from '../context.js';
import { errorPage } from '../views/layout.js';

export const ACCESS_LEVELS = ['public', 'client', 'staff', 'admin'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route (server/plugins/access.ts); required on every route. */
    access?: Access;
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
  if (access === 'client') {
    if (request.client) return undefined;
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
