// JSON API, OpenAPI document, health, and pages that must not leak.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(() => system?.stop());

describe('JSON API', () => {
  it('answers 401 without a session, in the visitor language', async () => {
    const res = await system.app!.inject({
      url: '/api/v1/conversations',
      headers: { 'accept-language': 'en-GB,en;q=0.9' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      message: 'Your session expired after 30 minutes of inactivity. Please log in again.',
    });
  });

  it('lists the client conversations with paging and validates the query', async () => {
    const db = system.database.db;
    const space = await createSpace(db, 'Syndic');
    const { account, password } = await createClient(db, { space });
    const browser = new Browser(system.app!);
    await browser.login(account.email, password);
    for (const subject of ['Un', 'Deux', 'Trois']) {
      const res = await browser.post(
        '/conversations',
        { spaceId: space.id, subject, body: 'x' },
        { formUrl: '/conversations/nouvelle' },
      );
      expect(res.statusCode).toBe(303);
    }
    const page = await browser.get('/api/v1/conversations?limit=2&page=1');
    expect(page.statusCode).toBe(200);
    const body = page.json<{ total: number; items: Array<{ subject: string; space: string; status: string }> }>();
    expect(body.total).toBe(3);
    expect(body.items.map((i) => i.subject)).toEqual(['Trois', 'Deux']);
    expect(body.items[0]).toMatchObject({ space: 'Syndic', status: 'open' });
    const bad = await browser.get('/api/v1/conversations?limit=1000');
    expect(bad.statusCode).toBe(400);
    // Found by schemathesis: a page beyond any integer PostgreSQL takes was a 500.
    for (const page of ['74394160550312427520', '100001', '0', '-1', '1e30']) {
      const huge = await browser.get(`/api/v1/conversations?page=${page}`);
      expect(huge.statusCode).toBe(400);
      expect(huge.json<{ message: string }>().message.length).toBeGreaterThan(0);
    }
    const detail = await browser.get(
      `/api/v1/conversations/${(body.items as unknown as Array<{ id: string }>)[0]!.id}`,
    );
    expect(detail.json<{ messages: Array<{ body: string }> }>().messages[0]?.body).toBe('x');
    expect((await browser.get('/api/v1/conversations/not-a-uuid')).statusCode).toBe(404);
  });

  it("counts only the client's own conversations, on every page and past the last one", async () => {
    const db = system.database.db;
    const space = await createSpace(db, 'Copropriété');
    const other = await createClient(db, { space });
    const otherBrowser = new Browser(system.app!);
    await otherBrowser.login(other.account.email, other.password);
    const { account, password } = await createClient(db, { space });
    const browser = new Browser(system.app!);
    await browser.login(account.email, password);
    // Nothing yet: an empty first page says 0, although another client of the space has one.
    await otherBrowser.post(
      '/conversations',
      { spaceId: space.id, subject: 'Autre client', body: 'x' },
      { formUrl: '/conversations/nouvelle' },
    );
    const empty = (await browser.get('/api/v1/conversations')).json<{ total: number; items: unknown[] }>();
    expect(empty).toMatchObject({ total: 0, items: [] });
    for (const subject of ['A', 'B', 'C']) {
      const res = await browser.post(
        '/conversations',
        { spaceId: space.id, subject, body: 'x' },
        { formUrl: '/conversations/nouvelle' },
      );
      expect(res.statusCode).toBe(303);
    }
    const pages = [1, 2, 3].map(async (page) =>
      (await browser.get(`/api/v1/conversations?limit=2&page=${page}`)).json<{
        total: number;
        items: Array<{ subject: string }>;
      }>(),
    );
    const [first, last, beyond] = await Promise.all(pages);
    expect(first).toMatchObject({ total: 3 });
    expect(first!.items.map((i) => i.subject)).toEqual(['C', 'B']);
    expect(last).toMatchObject({ total: 3 });
    expect(last!.items.map((i) => i.subject)).toEqual(['A']);
    // Past the end there is no row to carry the total: it is still the client's 3.
    expect(beyond).toMatchObject({ total: 3, items: [] });
  });

  it('publishes an OpenAPI document of the API and health routes only', async () => {
    const res = await system.app!.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toBe('3.1.0');
    const c = '/api/v1/spaces/{space}/cases/{number}';
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/cases',
      '/api/v1/changes',
      '/api/v1/conversations',
      '/api/v1/conversations/{id}',
      '/api/v1/me',
      c,
      `${c}/files`,
      `${c}/files/{fileId}`,
      `${c}/files/{fileId}/content`,
      `${c}/pieces`,
      `${c}/pieces/{pieceId}/content`,
      `${c}/pieces/{pieceId}/refusal`,
      `${c}/pieces/{pieceId}/validation`,
      '/api/v1/spaces/{space}/conversations',
      '/api/v1/spaces/{space}/conversations/{id}/messages',
      '/health',
    ]);
  });

  it('reports database and Temporal health', async () => {
    const res = await system.app!.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: { database: { status: 'ok' }, temporal: { status: 'ok' } } });
  });
});

describe('pages', () => {
  it('renders a 404 page in French for unknown or malformed addresses, with security headers', async () => {
    const res = await system.app!.inject({ url: '/conversations/abc' });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Cette page n’existe pas ou ne vous est pas accessible.');
    const missing = await system.app!.inject({ url: '/nulle-part' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Cette page n’existe pas ou ne vous est pas accessible.');
    expect(missing.headers['content-security-policy']).toContain("default-src 'self'");
    expect(missing.headers['x-frame-options']).toBe('DENY');
  });

  it('escapes what people type', async () => {
    const db = system.database.db;
    const space = await createSpace(db);
    const { account, password } = await createClient(db, { space });
    const browser = new Browser(system.app!);
    await browser.login(account.email, password);
    const res = await browser.post(
      '/conversations',
      { spaceId: space.id, subject: '<script>alert(1)</script>', body: '<img src=x onerror=alert(1)>' },
      { formUrl: '/conversations/nouvelle' },
    );
    const thread = await browser.get(res.headers.location as string);
    expect(thread.body).not.toContain('<script>alert(1)</script>');
    expect(thread.body).not.toContain('<img src=x');
    expect(thread.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('has no development outbox outside the development run, whoever asks (no SMTP_URL either)', async () => {
    const local = await system.app!.inject({ url: '/dev/mails', remoteAddress: '127.0.0.1' });
    expect(local.statusCode).toBe(404);
    const remote = await system.app!.inject({ url: '/dev/mails', remoteAddress: '203.0.113.9' });
    expect(remote.statusCode).toBe(404);
  });
});
