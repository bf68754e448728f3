// Rate limits kept in PostgreSQL, against the real database: two app instances (two pools, as two
// server processes) share one count; every limited route refuses beyond its limit with the wait
// in French (and Retry-After); an invited or Cc address gets a bounded number of e-mails a day
// from one account; a password request takes the same time for known and unknown addresses.
// Counters of the routes with large limits are filled through the app's own limiter first.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pino from 'pino';
import { migrateToLatest, openDatabase, type Db } from '../../db/connect.js';
import type { Account, DocumentTemplate, Space } from '../../db/database.js';
import { startSystem, type RunningSystem } from '../../runtime/system.js';
import { PASSWORD_REQUEST_MIN_MS } from '../../server/features/auth/routes.js';
import {
  createRateLimits,
  deleteExpiredRateLimits,
  RateLimitedError,
  requestKeys,
  type RateRuleName,
} from '../../app/rate-limits.js';
import { cloneTemplate, makeCase, makePdf } from '../helpers/documents.js';
import { createClient, createSpace, createStaff, uniqueEmail } from '../helpers/fixtures.js';
import { Browser, multipartBody } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
/** A second server on the same database and configuration: another process of the deployment. */
let second: RunningSystem;
let db: Db;
let space: Space;
let rental: DocumentTemplate;

beforeAll(async () => {
  system = await startTestSystem();
  second = await startSystem({
    config: system.config,
    server: true,
    worker: false,
    logger: pino({ level: 'silent' }),
    workflowBundle: { code: inject('workflowBundleCode') },
  });
  db = system.database.db;
  space = await createSpace(db);
  rental = await cloneTemplate(db, 'demande-location', { digestMinutes: 0 });
});
afterAll(async () => {
  await second?.stop();
  await system?.stop();
});

const address = () => `10.200.${randomBytes(1)[0]}.${Math.max(1, randomBytes(1)[0]!)}`;

function expectRefused(res: { statusCode: number; headers: Record<string, unknown>; body: string }, wait: RegExp) {
  expect(res.statusCode).toBe(429);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  expect(res.body).toMatch(wait);
}

/** Fills the account's counter of `rule` up to `left` tries from its limit. */
async function fill(rule: RateRuleName, accountId: string, left: number) {
  const limits = system.app!.rateLimits;
  const [, accountKey] = requestKeys('0.0.0.0', accountId);
  await limits.consume(rule, [accountKey!], limits.rules[rule].points - left);
}

async function signedIn(options: { space?: Space } = {}): Promise<{ account: Account; browser: Browser }> {
  const { account, password } = await createClient(db, { space: options.space ?? space });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password)).statusCode).toBe(303);
  return { account, browser };
}

describe('sign-in limit across two server instances', () => {
  it('one address: 10 tries in 15 minutes alternating between instances, the 11th refused whichever takes it', async () => {
    const ip = address();
    const a = new Browser(system.app!, { ip });
    const b = new Browser(second.app!, { ip });
    const codes: number[] = [];
    // Different e-mails each time: only the address is counted against them.
    for (let i = 0; i < 10; i++)
      codes.push((await (i % 2 === 0 ? a : b).login(uniqueEmail('guess'), `wrong-${i}`)).statusCode);
    expect(codes).toEqual(Array(10).fill(401));
    const eleventh = await b.login(uniqueEmail('guess'), 'wrong');
    expectRefused(eleventh, /Trop de tentatives\. Réessayez dans 1[45] minutes\./);
    expect(Number(eleventh.headers['retry-after'])).toBeLessThanOrEqual(900);
    expectRefused(await a.login(uniqueEmail('guess'), 'wrong'), /Réessayez dans 1[45] minutes/);
    // Another address is not held back by this one.
    expect((await new Browser(second.app!).login(uniqueEmail('guess'), 'wrong')).statusCode).toBe(401);
  });

  it('one account: 10 tries from ten addresses on two instances, the 11th refused, even with the right password', async () => {
    const { account, password } = await createClient(db);
    const codes: number[] = [];
    for (let i = 0; i < 10; i++)
      codes.push(
        (await new Browser(i % 2 === 0 ? system.app! : second.app!).login(account.email, `wrong-${i}`)).statusCode,
      );
    expect(codes).toEqual(Array(10).fill(401));
    expectRefused(
      await new Browser(system.app!).login(account.email.toUpperCase(), password),
      /Trop de tentatives\. Réessayez dans 1[45] minutes\./,
    );
    expectRefused(await new Browser(second.app!).login(account.email, password), /Réessayez dans/);
  });

  it('only failed tries count: fifteen people sign in from one office address; failures add up whatever successes come between', async () => {
    const ip = address();
    const people = await Promise.all(Array.from({ length: 15 }, () => createClient(db)));
    const ok = [];
    for (const [i, p] of people.entries())
      ok.push(
        (await new Browser(i % 2 === 0 ? system.app! : second.app!, { ip }).login(p.account.email, p.password))
          .statusCode,
      );
    expect(ok).toEqual(Array(15).fill(303));
    for (let i = 0; i < 9; i++) {
      expect(
        (await new Browser(i % 2 === 0 ? second.app! : system.app!, { ip }).login(uniqueEmail('guess'), 'wrong'))
          .statusCode,
      ).toBe(401);
      const p = people[i]!;
      expect((await new Browser(system.app!, { ip }).login(p.account.email, p.password)).statusCode).toBe(303);
    }
    expect((await new Browser(system.app!, { ip }).login(uniqueEmail('guess'), 'wrong')).statusCode).toBe(401);
    expectRefused(
      await new Browser(second.app!, { ip }).login(uniqueEmail('guess'), 'wrong'),
      /Réessayez dans 1[45] minutes/,
    );
  });

  it('staff sign-in is limited the same way, in English for an English browser', async () => {
    const staff = await createStaff(db);
    for (let i = 0; i < 10; i++)
      expect(
        (await new Browser(i % 2 === 0 ? system.app! : second.app!).login(staff.account.email, `wrong-${i}`, 'staff'))
          .statusCode,
      ).toBe(401);
    const english = new Browser(second.app!);
    english.setCookie('guichet_lang', 'en');
    expectRefused(
      await english.login(staff.account.email, staff.password, 'staff'),
      /Too many attempts\. Try again in 1[45] minutes\./,
    );
  });
});

describe('each limited route', () => {
  it('password requests: 10 per address and per e-mail in 15 minutes', async () => {
    const { account } = await createClient(db);
    // At once, half on each instance (each answer takes PASSWORD_REQUEST_MIN_MS).
    const asked = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        new Browser(i % 2 === 0 ? system.app! : second.app!).post('/mot-de-passe', { email: account.email }),
      ),
    );
    expect(asked.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expectRefused(
      await new Browser(system.app!).post('/mot-de-passe', { email: account.email }),
      /Trop de tentatives\. Réessayez dans 1[45] minutes\./,
    );
    // Per address: one address asking for ten different people is stopped too.
    const ip = address();
    const many = await Promise.all(
      Array.from({ length: 10 }, () =>
        new Browser(second.app!, { ip }).post('/mot-de-passe', { email: uniqueEmail('someone') }),
      ),
    );
    expect(many.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    expectRefused(
      await new Browser(system.app!, { ip }).post('/mot-de-passe', { email: uniqueEmail('someone') }),
      /Réessayez dans/,
    );
  });

  it('new conversations: beyond the account’s limit refused, nothing written', async () => {
    const { account, browser } = await signedIn();
    await fill('conversation', account.id, 1);
    const write = (b: Browser, subject: string) =>
      b.post('/conversations', { spaceId: space.id, subject, body: 'Bonjour' }, { formUrl: '/conversations/nouvelle' });
    expect((await write(browser, 'La dernière permise')).statusCode).toBe(303);
    expectRefused(await write(browser, 'Une de trop'), /Trop de tentatives\. Réessayez dans 60 minutes\./);
    const conversations = await db
      .selectFrom('conversations')
      .select('subject')
      .where('client_account_id', '=', account.id)
      .execute();
    expect(conversations.map((c) => c.subject)).toEqual(['La dernière permise']);
  });

  it('messages (replies): beyond the limit refused, nothing written', async () => {
    const { account, browser } = await signedIn();
    const created = await browser.post(
      '/conversations',
      { spaceId: space.id, subject: 'Fil', body: 'Premier' },
      { formUrl: '/conversations/nouvelle' },
    );
    const thread = created.headers.location as string;
    await fill('message', account.id, 1);
    expect((await browser.post(`${thread}/messages`, { body: 'Permis' }, { formUrl: thread })).statusCode).toBe(303);
    expectRefused(
      await browser.post(`${thread}/messages`, { body: 'De trop' }, { formUrl: thread }),
      /Réessayez dans 60 minutes/,
    );
    const bodies = await db
      .selectFrom('messages')
      .select('body')
      .where('conversation_id', '=', thread.split('/').pop()!)
      .where('author_kind', '=', 'client')
      .execute();
    expect(bodies.map((m) => m.body).sort()).toEqual(['Permis', 'Premier']);
  });

  it('deposits: beyond the limit refused before a byte is kept, as a page and as JSON for the page’s script', async () => {
    const { account, browser } = await signedIn();
    const kase = await makeCase(db, { space, client: account, template: rental });
    const category = await db
      .selectFrom('document_categories')
      .select('id')
      .where('template_id', '=', rental.id)
      .orderBy('position')
      .executeTakeFirstOrThrow();
    const page = `/dossiers/${kase.id}`;
    const pdf = { filename: 'piece.pdf', content: await makePdf(1), contentType: 'application/pdf' };
    await fill('upload', account.id, 1);
    // The last one allowed: counted, then refused for its own reason (no such category).
    expect(
      (
        await browser.postMultipart(`${page}/documents`, { category: '00000000-0000-4000-8000-000000000000' }, [pdf], {
          formUrl: page,
        })
      ).statusCode,
    ).toBe(400);
    expectRefused(
      await browser.postMultipart(`${page}/documents`, { category: category.id }, [pdf], { formUrl: page }),
      /Trop de tentatives\. Réessayez dans 60 minutes\./,
    );
    const again = await browser.postMultipart(`${page}/decoupage`, {}, [pdf], { formUrl: page });
    expectRefused(again, /Réessayez dans 60 minutes/);
    const token = /name="_csrf" value="([^"]+)"/.exec((await browser.get(page)).body)![1]!;
    const { body, contentType } = multipartBody([
      { name: '_csrf', value: token },
      { name: 'category', value: category.id },
      { name: 'files', file: pdf },
    ]);
    const json = await system.app!.inject({
      method: 'POST',
      url: `${page}/documents`,
      remoteAddress: browser.ip,
      payload: body,
      headers: {
        'content-type': contentType,
        accept: 'application/json',
        cookie: `guichet_session=${browser.cookie('guichet_session')}; guichet_csrf=${browser.cookie('guichet_csrf')}`,
      },
    });
    expect(json.statusCode).toBe(429);
    expect(Number(json.headers['retry-after'])).toBeGreaterThan(0);
    expect(json.json()).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/^Trop de tentatives\. Réessayez dans 60 minutes\.$/)],
    });
    expect(await db.selectFrom('documents').select('id').where('case_id', '=', kase.id).execute()).toEqual([]);
  });

  it('invitations: beyond the limit refused', async () => {
    const { account, browser } = await signedIn();
    const kase = await makeCase(db, { space, client: account, template: rental });
    const form = `/dossiers/${kase.id}/contributeurs`;
    await fill('invitation', account.id, 1);
    expect(
      (await browser.post(form, { name: 'Marc Garant', email: uniqueEmail('garant'), role: 'garant' })).statusCode,
    ).toBe(303);
    expectRefused(
      await browser.post(form, { name: 'Paul Garant', email: uniqueEmail('garant'), role: 'garant' }),
      /Réessayez dans 24 heures/,
    );
  });
});

describe('e-mails to one address from one account', () => {
  it('an invited person gets at most 5 invitations a day from one staff member', async () => {
    const owner = await createClient(db, { space });
    const kase = await makeCase(db, { space, client: owner.account, template: rental });
    const staff = await createStaff(db, { spaces: [space] });
    const desk = new Browser(system.app!);
    await desk.login(staff.account.email, staff.password, 'staff');
    const page = `/back-office/dossiers/${kase.id}`;
    const email = uniqueEmail('invitee');
    expect(
      (
        await desk.post(
          `${page}/contributeurs`,
          { name: 'Marc Garant', email, role: 'garant', notify: '1' },
          { formUrl: page },
        )
      ).statusCode,
    ).toBe(303);
    const member = await db
      .selectFrom('case_members')
      .innerJoin('accounts', 'accounts.id', 'case_members.account_id')
      .select('case_members.id')
      .where('accounts.email', '=', email)
      .executeTakeFirstOrThrow();
    for (let i = 0; i < 4; i++)
      expect((await desk.post(`${page}/contributeurs/${member.id}/invitation`, {}, { formUrl: page })).statusCode).toBe(
        303,
      );
    const sixth = await desk.post(`${page}/contributeurs/${member.id}/invitation`, {}, { formUrl: page });
    expectRefused(
      sixth,
      new RegExp(
        `${email.replace(/\./g, '\\.')} a déjà reçu de votre part tous les e-mails permis pour aujourd’hui\\. Réessayez dans 2[34] heures\\.`,
      ),
    );
    // Another staff member is another sender.
    const colleague = await createStaff(db, { spaces: [space] });
    const other = new Browser(system.app!);
    await other.login(colleague.account.email, colleague.password, 'staff');
    expect((await other.post(`${page}/contributeurs/${member.id}/invitation`, {}, { formUrl: page })).statusCode).toBe(
      303,
    );
  });

  it('a Cc address is on at most 5 new conversations a day from one client; the form keeps what was typed', async () => {
    const { browser } = await signedIn();
    const cc = uniqueEmail('copie');
    const write = (subject: string, copy: string) =>
      browser.post(
        '/conversations',
        { spaceId: space.id, subject, body: 'Texte gardé', cc: copy },
        { formUrl: '/conversations/nouvelle' },
      );
    for (let i = 0; i < 5; i++) expect((await write(`Copie ${i}`, cc.toUpperCase())).statusCode).toBe(303);
    const refused = await write('Sixième', `${uniqueEmail('autre')}, ${cc}`);
    expectRefused(
      refused,
      /a déjà reçu de votre part tous les e-mails permis pour aujourd’hui\. Réessayez dans 2[34] heures\./,
    );
    expect(refused.body).toContain(cc);
    expect(refused.body).toContain('Texte gardé');
    expect((await write('Sans la copie', uniqueEmail('autre'))).statusCode).toBe(303);
  });
});

describe('password request timing', () => {
  it('takes the same time for a known and an unknown address (mean of 6 each)', async () => {
    const known = await Promise.all(Array.from({ length: 6 }, () => createClient(db)));
    const times = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 6; i++) {
      for (const kind of ['known', 'unknown'] as const) {
        const email = kind === 'known' ? known[i]!.account.email : uniqueEmail('nobody');
        const browser = new Browser(system.app!);
        const token = /name="_csrf" value="([^"]+)"/.exec((await browser.get('/mot-de-passe')).body)![1]!;
        const started = performance.now();
        const res = await browser.post('/mot-de-passe', { email }, { csrf: token });
        times[kind].push(performance.now() - started);
        expect(res.statusCode).toBe(200);
        expect(res.body).toContain('Si cette adresse est connue de nos services');
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.info(
      `password request: known ${mean(times.known).toFixed(1)} ms, unknown ${mean(times.unknown).toFixed(1)} ms`,
    );
    expect(mean(times.known)).toBeGreaterThanOrEqual(PASSWORD_REQUEST_MIN_MS - 5);
    expect(mean(times.unknown)).toBeGreaterThanOrEqual(PASSWORD_REQUEST_MIN_MS - 5);
    expect(Math.abs(mean(times.known) - mean(times.unknown))).toBeLessThan(50);
  });
});

describe('the embedded database (npm start)', () => {
  it('counts in PGlite through the same store: the 11th try refused, with the wait', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-pglite-limits-'));
    const lite = await openDatabase({ embeddedDir: path.join(dir, 'pg') });
    try {
      await migrateToLatest(lite.db);
      const limits = createRateLimits(lite.db, { LOGIN_RATE_LIMIT: 10 }, 'embedded');
      const keys = requestKeys('127.0.0.1', 'camille@example.test');
      for (let i = 0; i < 10; i++) await limits.consume('signIn', keys);
      const refused = await limits.consume('signIn', keys).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(RateLimitedError);
      expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(880);
      expect((refused as RateLimitedError).retryAfterSeconds).toBeLessThanOrEqual(900);
      const row = await lite.db
        .selectFrom('rate_limits')
        .selectAll()
        .where('key', '=', limits.storedKey('signIn', 'ip:127.0.0.1'))
        .executeTakeFirstOrThrow();
      expect(row.points).toBe(11);
      await lite.db
        .updateTable('rate_limits')
        .set({ expire: Date.now() - 1 })
        .execute();
      expect(await deleteExpiredRateLimits(lite.db)).toBe(2);
      await limits.consume('signIn', keys);
    } finally {
      await lite.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
