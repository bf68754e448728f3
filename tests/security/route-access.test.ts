// Every route declares who may call it (server/plugins/access.ts): the app lists its routes and
// each one has a level; a route without one stops the app; every staff and administrator route
// refuses an anonymous caller and a signed-in client, and administrator routes refuse other staff.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { buildApp } from '../../server/app.js';
import access, { ACCESS_LEVELS, RouteAccessError } from '../../server/plugins/access.js';
import { createClient, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let app: FastifyInstance;
let client: Browser;
let agent: Browser;

beforeAll(async () => {
  system = await startTestSystem();
  app = system.app!;
  const db = system.database.db;
  const c = await createClient(db);
  client = new Browser(app);
  expect((await client.login(c.account.email, c.password)).statusCode).toBe(303);
  const s = await createStaff(db, { spaces: [] });
  agent = new Browser(app);
  expect((await agent.login(s.account.email, s.password, 'staff')).statusCode).toBe(303);
});
afterAll(async () => {
  await system?.stop();
});

/** The routes as Fastify's router prints them: full path and methods, read from the tree. */
function printedRoutes(instance: FastifyInstance): Array<{ url: string; methods: string[] }> {
  const stack: string[] = [];
  const routes: Array<{ url: string; methods: string[] }> = [];
  for (const line of instance.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│├└─ ]*)(\S.*) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack[depth] = m[2]!;
    routes.push({ url: stack.join(''), methods: m[3]!.split(', ') });
  }
  return routes;
}

/** A URL that reaches the route: ids are random UUIDs, other parameters a plausible value. */
function sampleUrl(url: string): string {
  return url
    .replace(/:key/g, 'staff-answer')
    .replace(/:locale/g, 'fr')
    .replace(/:token/g, 'x'.repeat(30))
    .replace(/:[A-Za-z]+/g, () => randomUUID());
}

describe('route access declarations', () => {
  it('every registered route declares a level, and the router holds no route the access plugin did not see', () => {
    const declared = app.routeAccess;
    expect(declared.length).toBeGreaterThan(90);
    for (const r of declared) expect(ACCESS_LEVELS).toContain(r.access);
    const printed = printedRoutes(app);
    // The printed tree folds wildcard routes (/static/*, /static/pdfjs/*) together: compared apart.
    const printedCount = printed.filter((r) => !r.url.includes('*')).reduce((n, r) => n + r.methods.length, 0);
    const declaredCount = declared.filter((r) => !r.url.includes('*')).length;
    expect(
      declared
        .filter((r) => r.url.includes('*'))
        .map((r) => `${r.method} ${r.url} ${r.access}`)
        .sort(),
    ).toEqual([
      'GET /static/* public',
      'GET /static/pdfjs/* public',
      'HEAD /static/* public',
      'HEAD /static/pdfjs/* public',
    ]);
    const byLevel = Object.fromEntries(ACCESS_LEVELS.map((l) => [l, declared.filter((r) => r.access === l).length]));
    console.log(
      `routes: ${declared.length} declared (${JSON.stringify(byLevel)}); without wildcards ${declaredCount} declared, ${printedCount} in the router`,
    );
    expect(printedCount).toBe(declaredCount);
    const missing = printed
      .filter((r) => !r.url.includes('*'))
      .flatMap((r) => r.methods.map((method) => ({ method, url: r.url })))
      .filter((r) => !declared.some((d) => d.method === r.method && d.url === r.url));
    expect(missing).toEqual([]);
  });

  it('the app refuses to start with a route that declares nothing', async () => {
    const other = await buildApp(app.deps);
    try {
      expect(() => other.get('/undeclared', async () => 'open')).toThrow(RouteAccessError);
      expect(() => other.get('/declared', { config: { access: 'staff' } }, async () => 'closed')).not.toThrow();
    } finally {
      await other.close();
    }
    // The same inside a plugin: start-up (ready) fails and names the route.
    const bare = Fastify();
    await bare.register(fp(async () => {}, { name: 'auth' }));
    await bare.register(access);
    void bare.register(async (scope) => {
      scope.post('/plugin-route', async () => 'open');
    });
    await expect(bare.ready()).rejects.toThrow(/POST \/plugin-route declares no access level/);
  });
});

describe('staff and administrator routes refuse who they do not admit', () => {
  it('an anonymous caller and a signed-in client get no staff or administrator route', async () => {
    const closed = app.routeAccess.filter((r) => (r.access === 'staff' || r.access === 'admin') && r.method !== 'HEAD');
    expect(closed.length).toBeGreaterThan(50);
    const anonymous = new Browser(app);
    let refused = 0;
    for (const route of closed) {
      const url = sampleUrl(route.url);
      for (const who of [anonymous, client]) {
        const res = route.method === 'GET' ? await who.get(url) : await who.post(url, {}, { csrf: null });
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(302);
        expect(res.headers.location, `${route.method} ${route.url}`).toMatch(/^\/back-office\/connexion/);
        refused++;
      }
      // A script asking for JSON gets 401, not a page.
      const json = await app.inject({
        method: route.method as 'GET' | 'POST',
        url,
        headers: { accept: 'application/json' },
      });
      expect(json.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(json.json()).toEqual({ message: 'Connectez-vous au back-office pour continuer.' });
    }
    console.log(`${closed.length} staff/admin routes: ${refused} anonymous and client requests refused, 0 opened`);
  });

  it('staff without the administrator flag get the 403 page on every administrator route', async () => {
    const adminOnly = app.routeAccess.filter((r) => r.access === 'admin' && r.method !== 'HEAD');
    expect(adminOnly.length).toBeGreaterThan(10);
    for (const route of adminOnly) {
      const url = sampleUrl(route.url);
      const res = route.method === 'GET' ? await agent.get(url) : await agent.post(url, {}, { csrf: null });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
      expect(res.body).toContain('Seuls les administrateurs peuvent faire cette modification.');
    }
  });

  it('client routes send a caller without a client session to the client sign-in, with ?expire=1 after a session ended', async () => {
    const clientRoutes = app.routeAccess.filter(
      (r) => r.access === 'client' && r.method === 'GET' && !r.url.startsWith('/api/'),
    );
    expect(clientRoutes.length).toBeGreaterThan(5);
    const ended = new Browser(app);
    ended.setCookie('guichet_session', 'a-session-that-does-not-exist');
    for (const route of clientRoutes) {
      const url = sampleUrl(route.url);
      expect((await agent.get(url)).headers.location, route.url).toBe('/connexion');
      expect((await ended.get(url)).headers.location, route.url).toBe('/connexion?expire=1');
    }
    const api = await app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(api.statusCode).toBe(401);
  });
});
