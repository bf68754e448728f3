// The trust boundary against the real services: whose X-Forwarded-For is believed, the
// development pages and /metrics whoever claims to be, redirects that stay on the site (also in
// Chromium), Redmine markers a client cannot forge (real Redmine), and info logs without a
// client's name, e-mail or search.
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Browser as Chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';
import { createRedmineClient, noteMarkerRefs, type RedmineClient } from '../../connectors/redmine/index.js';
import { openDatabase, type Db } from '../../db/connect.js';
import { insertMessage } from '../../db/conversations.js';
import type { Space } from '../../db/database.js';
import { startSystem, type RunningSystem } from '../../runtime/system.js';
import { safeRedirect } from '../../server/safe-redirect.js';
import { launchChromium } from '../helpers/browser.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser, csrfToken } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, openConversationWithIssue } from '../helpers/redmine.js';
import { startTestSystem, testConfig } from '../helpers/system.js';

type System = RunningSystem & { url: string };

/** The HTTP server alone (no worker): enough for the routes, lighter on the shared machine. */
async function startServer(overrides: Record<string, string>, logger = pino({ level: 'silent' })): Promise<System> {
  const system = await startSystem({ config: await testConfig(overrides), server: true, worker: false, logger });
  if (!system.url) throw new Error('server did not start');
  return { ...system, url: system.url };
}

/** A sign-in over real HTTP (the socket is 127.0.0.1, which is what a proxy on this machine is),
 * with the headers given on both the form and the post. */
async function signInOverHttp(
  base: string,
  email: string,
  password: string,
  headers: Record<string, string>,
): Promise<Response> {
  const form = await fetch(`${base}/connexion`, { headers });
  const cookie = form.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const body = new URLSearchParams({ email, password, _csrf: csrfToken(await form.text()) });
  return fetch(`${base}/connexion`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

async function loginAddresses(db: Db, accountId: string): Promise<Array<string | null>> {
  const rows = await db
    .selectFrom('audit_log')
    .select('ip')
    .where('subject_id', '=', accountId)
    .where('action', 'like', 'login.%')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.ip);
}

async function eventually<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Headers by which a caller claims to be this machine, or a proxy. */
const SPOOFS: Array<Record<string, string>> = [
  { 'x-forwarded-for': '127.0.0.1' },
  { 'x-forwarded-for': '::1' },
  { 'x-forwarded-for': '127.0.0.1, 127.0.0.1' },
  { 'x-real-ip': '127.0.0.1', forwarded: 'for=127.0.0.1', 'x-forwarded-host': 'localhost' },
];

describe('configuration of the trust boundary', () => {
  it('validates TRUSTED_PROXIES at start-up with a clear error, and trusts nobody by default', () => {
    expect(loadConfig({}).trustedProxies).toEqual([]);
    expect(loadConfig({ PUBLIC_URL: 'https://espace.example.fr' }).trustedProxies).toEqual([]);
    expect(loadConfig({ TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8,::1 , fd00::/8' }).trustedProxies).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of [
      'loopback',
      '10.0.0.0/33',
      '10.0.0/8',
      '::1/129',
      '10.0.0.1/8/8',
      'proxy.internal',
      '10.0.0.0/255.0.0.0',
    ]) {
      let error: unknown;
      try {
        loadConfig({ TRUSTED_PROXIES: `127.0.0.1,${bad}` });
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('TRUSTED_PROXIES');
      expect((error as Error).message).toContain(bad);
    }
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow('METRICS_TOKEN: must be at least 16 characters');
    expect(() => loadConfig({ METRICS_PORT: 'nine' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '8080', METRICS_PORT: '8080' })).toThrow('METRICS_PORT: must differ from PORT');
    expect(loadConfig({ METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
  });

  it('turns the development tools on only in the development run or with DEV_TOOLS=true', () => {
    const run = loadConfig({}, { runCommand: true });
    expect(run).toMatchObject({ developmentRun: true, devTools: true, HOST: 'localhost' });
    expect(loadConfig({})).toMatchObject({ developmentRun: false, devTools: false, HOST: '0.0.0.0' });
    expect(loadConfig({ DEV_TOOLS: 'false' }, { runCommand: true }).devTools).toBe(false);
    expect(loadConfig({ HOST: '0.0.0.0' }, { runCommand: true }).HOST).toBe('0.0.0.0');
    // The run command pointed at real services is not the development run.
    expect(
      loadConfig({ DATABASE_URL: 'postgres://db/guichet', TEMPORAL_ADDRESS: 'temporal:7233' }, { runCommand: true }),
    ).toMatchObject({ developmentRun: false, devTools: false, HOST: '0.0.0.0' });
    expect(loadConfig({ DEV_TOOLS: 'true' }).devTools).toBe(true);
  });
});

describe('safe redirects', () => {
  const evil = [
    '/\\evil.example',
    '//evil',
    '//evil.example/x',
    '/%5Cevil.example',
    '/%5cevil.example',
    '%2F%2Fevil',
    '/%2F%2Fevil',
    '/%252F%252Fevil',
    'https://evil',
    'HTTPS://evil',
    'javascript:alert(1)',
    '\\\\evil',
    '/\t/evil',
    '/\n/evil',
    '/%09/evil',
    '/..//evil',
    '/a/../..//evil',
    '/%2e%2e//evil',
    '/%E0%A4%A',
    '',
    'conversations',
  ];
  it('keeps only paths of this site, raw or decoded', () => {
    for (const next of evil) expect(safeRedirect(next), JSON.stringify(next)).toBe('/');
    expect(safeRedirect(undefined)).toBe('/');
    expect(safeRedirect(['/conversations'])).toBe('/');
    expect(safeRedirect('/conversations')).toBe('/conversations');
    expect(safeRedirect('/dossiers?q=a%26b#cat-rib')).toBe('/dossiers?q=a%26b#cat-rib');
    expect(safeRedirect('/back-office/clients?q=Élodie')).toBe('/back-office/clients?q=%C3%89lodie');
  });
});

describe('address-sensitive routes with TRUSTED_PROXIES empty (the default)', () => {
  let system: System;
  let chromium: Chromium;
  beforeAll(async () => {
    // No SMTP_URL and the development SMS provider: only the mode keeps the development pages away.
    system = await startServer({ LOGIN_RATE_LIMIT: '3', SMS_PROVIDER: 'development' });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await system?.stop();
  });

  it('has no development pages and no /metrics, whoever the caller claims to be', async () => {
    expect(system.config.mailOutboxOnly).toBe(true);
    for (const path of ['/dev/mails', '/dev/sms', '/metrics']) {
      for (const headers of [{}, ...SPOOFS]) {
        const res = await fetch(`${system.url}${path}`, { headers });
        expect(res.status, `${path} ${JSON.stringify(headers)}`).toBe(404);
      }
      // Even from a loopback socket (inject sets it): no access decision reads the address.
      expect((await system.app!.inject({ url: path, remoteAddress: '127.0.0.1' })).statusCode).toBe(404);
      expect(
        (
          await system.app!.inject({
            url: path,
            remoteAddress: '::1',
            headers: { authorization: 'Bearer anything-at-all-here' },
          })
        ).statusCode,
      ).toBe(404);
    }
    expect(system.metricsUrl).toBeUndefined();
  });

  it('keys the sign-in on the socket address: a forged X-Forwarded-For changes nothing', async () => {
    const db = system.database.db;
    const { account } = await createClient(db);
    const statuses: number[] = [];
    for (const spoof of ['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '127.0.0.1']) {
      statuses.push(
        (await signInOverHttp(system.url, account.email, 'wrong-password', { 'x-forwarded-for': spoof })).status,
      );
    }
    // Three tries per address and e-mail; a new forged address each time buys no fourth.
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(await loginAddresses(db, account.id)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
  });

  it('redirects the language switch only within the site (inject and Chromium)', async () => {
    const cases = [
      '/\\evil.example',
      '//evil',
      '/%5Cevil.example',
      '%2F%2Fevil',
      '/%2F%2Fevil',
      'https://evil',
      '/\t/evil',
      '/..//evil',
    ];
    for (const next of cases) {
      const res = await system.app!.inject({ url: `/langue/fr?next=${encodeURIComponent(next)}` });
      expect(res.statusCode, next).toBe(302);
      expect(res.headers.location, next).toBe('/');
    }
    const kept = await system.app!.inject({ url: `/langue/en?next=${encodeURIComponent('/conversations?page=2')}` });
    expect(kept.headers.location).toBe('/conversations?page=2');

    const origin = new URL(system.url).origin;
    const context = await chromium.newContext({ baseURL: system.url });
    const page = await context.newPage();
    // Typed as an attacker would put it in a link: the escapes left as they are.
    for (const raw of [
      '/%5Cevil.example',
      '/\\evil.example',
      '//evil.example',
      '%2F%2Fevil.example',
      '/%2F%2Fevil.example',
      'https://evil.example',
      '/%09/evil.example',
      '/..//evil.example',
    ]) {
      await page.goto(`/langue/fr?next=${raw}`);
      expect(new URL(page.url()).origin, raw).toBe(origin);
      expect(page.url(), raw).toBe(`${origin}/connexion`);
    }
    await context.close();
  });
});

describe('address-sensitive routes behind a trusted proxy (TRUSTED_PROXIES=127.0.0.1)', () => {
  const METRICS_TOKEN = randomBytes(24).toString('hex');
  let system: System;
  beforeAll(async () => {
    system = await startServer({
      TRUSTED_PROXIES: '127.0.0.1',
      LOGIN_RATE_LIMIT: '3',
      METRICS_TOKEN,
      METRICS_PORT: '0',
    });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('takes the client address from the proxy’s X-Forwarded-For, never what the client put before it', async () => {
    const db = system.database.db;
    const { account, password } = await createClient(db);
    // The proxy appends the address it saw; whatever the client sent is further left.
    expect(
      (await signInOverHttp(system.url, account.email, 'wrong-password', { 'x-forwarded-for': '198.51.100.7' })).status,
    ).toBe(401);
    expect(
      (
        await signInOverHttp(system.url, account.email, 'wrong-password', {
          'x-forwarded-for': '127.0.0.1, 198.51.100.7',
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await signInOverHttp(system.url, account.email, 'wrong-password', {
          'x-forwarded-for': '10.9.9.9, ::1, 198.51.100.7',
        })
      ).status,
    ).toBe(401);
    // The budget of 198.51.100.7 is spent, however it dresses up; another client still has theirs
    // (another account: the account's own budget is spent too, counted per account as well).
    const other = await createClient(db);
    expect(
      (
        await signInOverHttp(system.url, other.account.email, other.password, {
          'x-forwarded-for': '127.0.0.1, 198.51.100.7',
        })
      ).status,
    ).toBe(429);
    expect(
      (await signInOverHttp(system.url, other.account.email, other.password, { 'x-forwarded-for': '198.51.100.8' }))
        .status,
    ).toBe(303);
    expect(
      (await signInOverHttp(system.url, account.email, password, { 'x-forwarded-for': '198.51.100.9' })).status,
    ).toBe(429);
    expect(await loginAddresses(db, account.id)).toEqual(['198.51.100.7', '198.51.100.7', '198.51.100.7']);
    expect(await loginAddresses(db, other.account.id)).toEqual(['198.51.100.8']);
  });

  it('has no development pages even for the proxy’s own address', async () => {
    for (const headers of [{}, ...SPOOFS]) {
      for (const path of ['/dev/mails', '/dev/sms'])
        expect((await fetch(`${system.url}${path}`, { headers })).status).toBe(404);
    }
  });

  it('serves /metrics on the public port only with the token', async () => {
    for (const headers of [
      {},
      ...SPOOFS,
      { authorization: 'Bearer wrong-token-of-some-length' },
      { authorization: METRICS_TOKEN },
      { authorization: `Basic ${METRICS_TOKEN}` },
      { authorization: `Bearer ${METRICS_TOKEN}x` },
    ]) {
      expect((await fetch(`${system.url}/metrics`, { headers })).status, JSON.stringify(headers)).toBe(404);
    }
    const ok = await fetch(`${system.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}`, 'x-forwarded-for': '203.0.113.50' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('guichet_notifications_pending ');
  });

  it('serves /metrics without a token on METRICS_PORT, bound to 127.0.0.1 only', async () => {
    expect(system.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${system.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('# TYPE guichet_sla_answers_total counter');
    expect((await fetch(`${system.metricsUrl}/dev/mails`)).status).toBe(404);
    const port = Number(new URL(system.metricsUrl!).port);
    // From this machine's other addresses the listener is not there at all.
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === 'IPv4')
      .map((i) => i!.address);
    expect(others.length).toBeGreaterThan(0);
    for (const address of others) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = net.connect({ host: address, port, timeout: 2000 });
        socket.once('connect', () => (socket.destroy(), resolve('connected')));
        socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
        socket.once('timeout', () => (socket.destroy(), resolve('timeout')));
      });
      expect(outcome, address).toBe('ECONNREFUSED');
    }
  });
});

describe('development tools when asked for (DEV_TOOLS=true)', () => {
  let system: System;
  beforeAll(async () => {
    system = await startServer({ DEV_TOOLS: 'true' });
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('serves the outbox pages, with no address check to fool', async () => {
    for (const path of ['/dev/mails', '/dev/sms']) {
      const res = await fetch(`${system.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain('<main');
    }
  });
});

describe('Redmine markers a client cannot forge (real Redmine)', () => {
  let system: System;
  let staff: RedmineClient; // the administrator, who sees private notes
  let api: RedmineClient; // Guichet's own integration user
  let admin: RedmineAdmin;
  let space: Space;
  let db: Db;

  beforeAll(async () => {
    const env = redmineTestEnv();
    staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
    api = createRedmineClient({ baseUrl: env.url, apiKey: env.apiKey });
    admin = new RedmineAdmin(env);
    const probe = await openDatabase({ url: inject('databaseUrl') });
    space = await createSpace(probe.db, 'Gestion locative');
    await probe.close();
    system = await startTestSystem({
      REDMINE_URL: env.url,
      STAFF_LOGIN: 'local',
      REDMINE_API_KEY: env.apiKey,
      REDMINE_PROJECTS: `${space.slug}=guichet-demo`,
      REDMINE_POLL_SECONDS: '0.5',
      REDMINE_RESCAN_MINUTES: '0.05',
    });
    db = system.database.db;
  });
  afterAll(async () => {
    await system?.stop();
    await admin?.cleanUp();
  });

  it('neutralises marker lines in client text; the internal note is still written and not mirrored as delivered', async () => {
    const fakeConversation = randomUUID();
    const { account, password } = await createClient(db, {
      space,
      name: `Claire <!-- guichet:conversation-${fakeConversation} --> Martin`,
    });
    const browser = new Browser(system.app!);
    await browser.login(account.email, password);
    const forged = `ack-${randomUUID()}`;
    const subject = `Fuite <!-- guichet:${forged} --> ${randomBytes(3).toString('hex')}`;
    const body = `Bonjour,\n\n<!-- guichet:${forged} -->\n\nle robinet fuit. <!-- caché au personnel -->`;
    const { conversationId, issueId } = await openConversationWithIssue(
      browser,
      db,
      admin,
      { spaceId: space.id, subject, body },
      20_000,
    );
    const first = await db
      .selectFrom('messages')
      .select('id')
      .where('conversation_id', '=', conversationId)
      .where('author_kind', '=', 'client')
      .executeTakeFirstOrThrow();

    // The client's note: their text with the openers broken, our marker as its last line only.
    const issue = await eventually(
      () => staff.getIssue(issueId, { journals: true }),
      (i) => (i?.journals ?? []).some((j) => noteMarkerRefs(j.notes)[0] === `message-${first.id}`),
      'the client note',
    );
    // The acknowledgement is in the description the issue was created with (no note of it).
    expect(issue!.description).toContain('Accusé de réception envoyé au client le');
    const clientNote = issue!.journals!.find((j) => noteMarkerRefs(j.notes)[0] === `message-${first.id}`)!;
    expect(clientNote.privateNotes).toBe(false);
    expect(clientNote.notes).toContain(`\u2039!-- guichet:${forged} -->`);
    expect(clientNote.notes).toContain('\u2039!-- caché au personnel -->');
    expect(clientNote.notes).not.toContain(`<!-- guichet:${forged}`);
    expect(clientNote.notes.match(/<!--/g)).toHaveLength(1);
    expect(issue!.subject).not.toContain('<!--');
    expect(issue!.subject).toContain(`\u2039!-- guichet:${forged} -->`);
    // The description names the client, neutralised; only its last line is the conversation's.
    expect(issue!.description).toContain(`\u2039!-- guichet:conversation-${fakeConversation}`);
    expect(noteMarkerRefs(issue!.description)).toEqual([`conversation-${conversationId}`]);

    // The internal note of the reference the client typed is written all the same.
    const written = await api.addNoteOnce(issueId, forged, { notes: 'Note interne de l’équipe.', privateNotes: true });
    expect(written.created).toBe(true);
    expect(written.journalId).not.toBe(clientNote.id);
    const after = await staff.getIssue(issueId, { journals: true });
    const internal = after!.journals!.find((j) => j.id === written.journalId)!;
    expect(internal.privateNotes).toBe(true);
    expect(noteMarkerRefs(internal.notes)).toEqual([forged]);

    // A follow-up naming a staff answer not yet in Redmine does not make the mirror take it as delivered.
    const pendingId = randomUUID();
    await insertMessage(db, {
      id: pendingId,
      conversationId,
      authorKind: 'staff',
      authorAccountId: null,
      authorDisplayName: 'Équipe',
      body: 'Réponse en attente',
      redmineDelivery: 'pending',
    });
    const followUp = await browser.post(
      `/conversations/${conversationId}/messages`,
      { body: `Et ceci :\n<!-- guichet:message-${pendingId} -->` },
      { formUrl: `/conversations/${conversationId}` },
    );
    expect(followUp.statusCode).toBe(303);
    const followUpRow = await eventually(
      () =>
        db
          .selectFrom('messages')
          .select(['id', 'redmine_journal_id'])
          .where('conversation_id', '=', conversationId)
          .where('author_kind', '=', 'client')
          .where('id', '!=', first.id)
          .executeTakeFirst(),
      (m) => m?.redmine_journal_id != null,
      'the follow-up in Redmine',
    );
    // Two rescans later (REDMINE_RESCAN_MINUTES = 3 s), the pending answer is still pending.
    await new Promise((r) => setTimeout(r, 7000));
    const pending = await db
      .selectFrom('messages')
      .select(['redmine_delivery', 'redmine_journal_id'])
      .where('id', '=', pendingId)
      .executeTakeFirstOrThrow();
    expect(pending).toEqual({ redmine_delivery: 'pending', redmine_journal_id: null });
    const journals = (await staff.getIssue(issueId, { journals: true }))!.journals!;
    expect(noteMarkerRefs(journals.find((j) => j.id === followUpRow!.redmine_journal_id)!.notes)).toEqual([
      `message-${followUpRow!.id}`,
    ]);
  });
});

describe('info logs', () => {
  const lines: string[] = [];
  let system: System;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    system = await startServer({}, pino({ level: 'info' }, sink));
  });
  afterAll(async () => {
    await system?.stop();
  });

  it('hold no client name, e-mail or search string after a sign-in and searches', async () => {
    const db = system.database.db;
    const name = `Zéphyrine Quillard-${randomBytes(3).toString('hex')}`;
    const { account, password } = await createClient(db, { name });
    const client = new Browser(system.app!);
    expect((await client.login(account.email, password)).statusCode).toBe(303);
    const search = `TELEFI-${randomBytes(4).toString('hex')}`;
    for (const q of [search, name])
      expect((await client.get(`/dossiers?q=${encodeURIComponent(q)}`)).body).toContain('Affaire non trouvée');
    expect((await new Browser(system.app!).login(`${account.email}`, 'wrong-password')).statusCode).toBe(401);
    expect((await new Browser(system.app!).post('/mot-de-passe', { email: account.email })).statusCode).toBe(200);
    const officer = await createStaff(db);
    const office = new Browser(system.app!);
    expect((await office.login(officer.account.email, officer.password, 'staff')).statusCode).toBe(303);
    for (const q of [name, account.email, search]) {
      expect((await office.get(`/back-office/clients?q=${encodeURIComponent(q)}`)).statusCode).toBe(200);
      expect((await office.get(`/back-office/dossiers?q=${encodeURIComponent(q)}`)).body).toContain(
        'Affaire non trouvée',
      );
    }

    const log = lines.join('');
    // The capture works: the requests are there, by their paths.
    const urls = lines
      .map((l) => JSON.parse(l) as { msg?: string; req?: { url?: string } })
      .filter((l) => l.msg === 'incoming request')
      .map((l) => l.req?.url);
    expect(urls).toContain('/back-office/clients');
    expect(urls).toContain('/dossiers');
    expect(urls).toContain('/connexion');
    for (const secret of [
      name,
      'Zéphyrine',
      'Quillard',
      account.email,
      account.email.split('@')[0]!,
      search,
      officer.account.email,
    ]) {
      for (const form of new Set([
        secret,
        encodeURIComponent(secret),
        new URLSearchParams({ q: secret }).toString().slice(2),
      ])) {
        expect(log, form).not.toContain(form);
      }
    }
  });
});
