// Sessions against the real PostgreSQL and Temporal: the absolute lifetime (SESSION_MAX_HOURS)
// whatever the activity; a new password ends the account's other sessions; the hourly schedule
// and its purge of ended rows; `__Host-` cookies and HSTS over https, plain names over http.
// Times are moved in the database, which is the sessions' clock.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import { setPassword } from '../../db/accounts.js';
import type { RunningSystem } from '../../runtime/system.js';
import { hashPassword } from '../../domain/passwords.js';
import { sessionPurgeScheduleId, sessionPurgeWorkflow } from '../../workflows/index.js';
import { createClient, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let https: RunningSystem & { url: string };
let smtp: TestSmtp;
let db: Db;
let connection: Connection;
let temporal: Client;

beforeAll(async () => {
  smtp = await startSmtp();
  [system, https] = await Promise.all([
    startTestSystem({ SMTP_URL: smtp.url }),
    startTestSystem({ PUBLIC_URL: 'https://guichet.example.test' }),
  ]);
  db = system.database.db;
  connection = await Connection.connect({ address: inject('temporalAddress') });
  temporal = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await Promise.all([system?.stop(), https?.stop()]);
  await smtp?.close();
});

const sessionAge = (accountId: string, hours: number, column: 'created_at' | 'last_seen_at') =>
  db
    .updateTable('sessions')
    .set({ [column]: sql<Date>`now() - make_interval(mins => ${Math.round(hours * 60)})` })
    .where('account_id', '=', accountId)
    .execute();

function passwordIn(text: string | undefined): string {
  const match = /\b([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})\b/.exec(text ?? '');
  if (!match?.[1]) throw new Error('no password in the e-mail');
  return match[1];
}

describe('absolute session lifetime', () => {
  it('ends a busy session 12 hours after sign-in, client and staff alike', async () => {
    expect(system.config.SESSION_MAX_HOURS).toBe(12);
    const { account, password } = await createClient(db);
    const browser = new Browser(system.app!);
    await browser.login(account.email, password);
    // Signed in 11 h 50 ago and busy all along: still open.
    await sessionAge(account.id, 11 + 50 / 60, 'created_at');
    expect((await browser.get('/conversations')).statusCode).toBe(200);
    // 12 h 05 after sign-in, a request a second ago changes nothing: it is over.
    await sessionAge(account.id, 12 + 5 / 60, 'created_at');
    await sessionAge(account.id, 0, 'last_seen_at');
    const ended = await browser.get('/conversations');
    expect(ended.statusCode).toBe(302);
    expect(ended.headers.location).toBe('/connexion?expire=1');

    const staff = await createStaff(db);
    const back = new Browser(system.app!);
    expect((await back.login(staff.account.email, staff.password, 'staff')).statusCode).toBe(303);
    expect((await back.get('/back-office')).statusCode).toBe(200);
    await sessionAge(staff.account.id, 12.1, 'created_at');
    expect((await back.get('/back-office')).statusCode).toBe(302);
  });

  it('follows SESSION_MAX_HOURS', async () => {
    const short = await startTestSystem({ SESSION_MAX_HOURS: '2' });
    try {
      const { account, password } = await createClient(short.database.db);
      const browser = new Browser(short.app!);
      await browser.login(account.email, password);
      await sessionAge(account.id, 1.9, 'created_at');
      expect((await browser.get('/conversations')).statusCode).toBe(200);
      await sessionAge(account.id, 2.1, 'created_at');
      expect((await browser.get('/conversations')).statusCode).toBe(302);
    } finally {
      await short.stop();
    }
  });
});

describe('a new password ends the other sessions', () => {
  it('a password asked by e-mail, once used, refuses the cookies of every earlier session', async () => {
    const { account, password: old } = await createClient(db);
    const phone = new Browser(system.app!);
    const laptop = new Browser(system.app!);
    await phone.login(account.email, old);
    await laptop.login(account.email, old);
    expect((await phone.get('/conversations')).statusCode).toBe(200);
    expect((await laptop.get('/conversations')).statusCode).toBe(200);

    await new Browser(system.app!).post('/mot-de-passe', { email: account.email });
    const mail = await smtp.waitFor((m) => smtp.to(account.email).includes(m));
    // Asked, not yet used: a stranger asking for someone's password signs nobody out.
    expect((await phone.get('/conversations')).statusCode).toBe(200);

    const fresh = new Browser(system.app!);
    expect((await fresh.login(account.email, passwordIn(mail.text))).statusCode).toBe(303);
    expect((await fresh.get('/conversations')).statusCode).toBe(200);
    for (const other of [phone, laptop]) {
      const refused = await other.get('/conversations');
      expect(refused.statusCode).toBe(302);
      expect(refused.headers.location).toBe('/connexion?expire=1');
    }
    const left = await db.selectFrom('sessions').select('id').where('account_id', '=', account.id).execute();
    expect(left).toHaveLength(1);
  });

  it('a local staff password set directly keeps only the session that set it', async () => {
    const staff = await createStaff(db);
    const desk = new Browser(system.app!);
    const other = new Browser(system.app!);
    await desk.login(staff.account.email, staff.password, 'staff');
    await other.login(staff.account.email, staff.password, 'staff');
    const [kept] = await db
      .selectFrom('sessions')
      .select('id')
      .where('account_id', '=', staff.account.id)
      .orderBy('created_at')
      .execute();
    await setPassword(db, staff.account.id, await hashPassword('a-new-pass-word'), { keepSession: kept!.id });
    expect((await desk.get('/back-office')).statusCode).toBe(200);
    expect((await other.get('/back-office')).statusCode).toBe(302);
    expect((await new Browser(system.app!).login(staff.account.email, 'a-new-pass-word', 'staff')).statusCode).toBe(
      303,
    );
  });
});

describe('purge of ended sessions', () => {
  it('is scheduled every hour with the configured limits', async () => {
    const description = await temporal.schedule
      .getHandle(sessionPurgeScheduleId(system.config.TEMPORAL_TASK_QUEUE))
      .describe();
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'sessionPurgeWorkflow',
      args: [{ idleMinutes: 30, maxHours: 12 }],
    });
    expect(description.spec.intervals?.[0]?.every).toBe(3_600_000);
  });

  it('deletes idle and too old session rows and spent rate-limit counters, and keeps the live ones', async () => {
    const idle = await createClient(db);
    const old = await createClient(db);
    const live = await createClient(db);
    for (const c of [idle, old, live]) await new Browser(system.app!).login(c.account.email, c.password);
    await sessionAge(idle.account.id, 31 / 60, 'last_seen_at');
    await sessionAge(old.account.id, 13, 'created_at');
    const spent = `purge-test:${randomUUID()}`;
    const running = `purge-test:${randomUUID()}`;
    await db
      .insertInto('rate_limits')
      .values([
        { key: spent, points: 3, expire: Date.now() - 1000 },
        { key: running, points: 3, expire: Date.now() + 600_000 },
      ])
      .execute();

    const result = await temporal.workflow.execute(sessionPurgeWorkflow, {
      workflowId: `session-purge-test-${randomUUID()}`,
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      args: [{ idleMinutes: 30, maxHours: 12 }],
    });
    expect(result.sessions).toBeGreaterThanOrEqual(2);
    expect(result.rateLimits).toBeGreaterThanOrEqual(1);
    const rows = await db
      .selectFrom('sessions')
      .select('account_id')
      .where('account_id', 'in', [idle.account.id, old.account.id, live.account.id])
      .execute();
    expect(rows.map((r) => r.account_id)).toEqual([live.account.id]);
    const counters = await db.selectFrom('rate_limits').select('key').where('key', 'in', [spent, running]).execute();
    expect(counters.map((c) => c.key)).toEqual([running]);
  });
});

describe('cookies and transport', () => {
  it('over https: __Host- names, Secure, Path=/, no Domain, and HSTS on every answer', async () => {
    const { account, password } = await createClient(https.database.db);
    const browser = new Browser(https.app!);
    const form = await browser.get('/connexion');
    expect(form.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const csrf = form.cookies.find((c) => c.name === '__Host-guichet_csrf');
    expect(csrf).toMatchObject({ secure: true, path: '/', httpOnly: true });
    expect(csrf?.domain).toBeUndefined();
    const ok = await browser.login(account.email, password);
    expect(ok.statusCode).toBe(303);
    expect(ok.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const session = ok.cookies.find((c) => c.name === '__Host-guichet_session');
    expect(session).toMatchObject({ secure: true, path: '/', httpOnly: true, sameSite: 'Lax' });
    expect(session?.domain).toBeUndefined();
    expect(ok.cookies.find((c) => c.name === 'guichet_session')).toBeUndefined();
    expect((await browser.get('/conversations')).statusCode).toBe(200);
    // The plain name opens nothing there: only the prefixed cookie is read.
    const plain = new Browser(https.app!);
    plain.setCookie('guichet_session', browser.cookie('__Host-guichet_session')!);
    expect((await plain.get('/conversations')).statusCode).toBe(302);

    const staff = await createStaff(https.database.db);
    const back = new Browser(https.app!);
    const staffOk = await back.login(staff.account.email, staff.password, 'staff');
    expect(staffOk.cookies.find((c) => c.name === '__Host-guichet_staff')).toMatchObject({ secure: true, path: '/' });
  });

  it('over http (the embedded run): plain names, no Secure, no HSTS', async () => {
    const { account, password } = await createClient(db);
    const browser = new Browser(system.app!);
    const form = await browser.get('/connexion');
    expect(form.headers['strict-transport-security']).toBeUndefined();
    const ok = await browser.login(account.email, password);
    expect(ok.headers['strict-transport-security']).toBeUndefined();
    const session = ok.cookies.find((c) => c.name === 'guichet_session');
    expect(session).toMatchObject({ path: '/', httpOnly: true });
    expect(session?.secure).toBeFalsy();
    expect(ok.cookies.some((c) => c.name.startsWith('__Host-'))).toBe(false);
  });
});
