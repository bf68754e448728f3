// Accounts: login, generated passwords by e-mail, idle timeout, rate limit, CSRF, isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace, createStaff, uniqueEmail } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';
import { findAccountByEmail } from '../../db/accounts.js';

let system: RunningSystem & { url: string };
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
  system = await startTestSystem({ SMTP_URL: smtp.url, LOGIN_RATE_LIMIT: '5' });
});
afterAll(async () => {
  await system?.stop();
  await smtp?.close();
});

function passwordIn(text: string | undefined): string {
  const match = /\b([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})\b/.exec(text ?? '');
  if (!match?.[1]) throw new Error('no password in the e-mail');
  return match[1];
}

describe('client login', () => {
  it('logs in with the right password only, with the same answer for an unknown e-mail', async () => {
    const { account, password } = await createClient(system.database.db);
    const wrong = await new Browser(system.app!).login(account.email, 'nope-nope-nope');
    const unknown = await new Browser(system.app!).login(uniqueEmail('nobody'), 'nope-nope-nope');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body).toContain('Adresse e-mail ou mot de passe incorrect.');
    expect(unknown.body).toContain('Adresse e-mail ou mot de passe incorrect.');

    const browser = new Browser(system.app!);
    const ok = await browser.login(account.email.toUpperCase(), password);
    expect(ok.statusCode).toBe(303);
    const cookie = ok.cookies.find((c) => c.name === 'guichet_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    expect((await browser.get('/conversations')).statusCode).toBe(200);
  });

  it('ends a session after 30 idle minutes and says so', async () => {
    const { account, password } = await createClient(system.database.db);
    const browser = new Browser(system.app!);
    await browser.login(account.email, password);
    expect((await browser.get('/conversations')).statusCode).toBe(200);
    await system.database.db
      .updateTable('sessions')
      .set({ last_seen_at: sql<Date>`now() - interval '29 minutes'` })
      .where('account_id', '=', account.id)
      .execute();
    expect((await browser.get('/conversations')).statusCode).toBe(200);
    await system.database.db
      .updateTable('sessions')
      .set({ last_seen_at: sql<Date>`now() - interval '31 minutes'` })
      .where('account_id', '=', account.id)
      .execute();
    const expired = await browser.get('/conversations');
    expect(expired.statusCode).toBe(302);
    expect(expired.headers.location).toBe('/connexion?expire=1');
    const page = await browser.get('/connexion?expire=1');
    expect(page.body).toContain('Votre session a expiré après 30 minutes d’inactivité.');
  });

  it('logs out for good: the old cookie no longer opens anything', async () => {
    const { account, password } = await createClient(system.database.db);
    const browser = new Browser(system.app!);
    await browser.login(account.email, password);
    const token = browser.cookie('guichet_session')!;
    const out = await browser.post('/deconnexion', {}, { formUrl: '/conversations' });
    expect(out.statusCode).toBe(303);
    const replay = new Browser(system.app!);
    replay.setCookie('guichet_session', token);
    expect((await replay.get('/conversations')).statusCode).toBe(302);
  });

  it('refuses a form without a valid CSRF token', async () => {
    const { account, password } = await createClient(system.database.db);
    const browser = new Browser(system.app!);
    await browser.get('/connexion');
    const res = await browser.post('/connexion', { email: account.email, password }, { csrf: 'forged' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Ce formulaire a expiré.');
    expect(browser.cookie('guichet_session')).toBeUndefined();
  });

  it('rate-limits repeated login attempts', async () => {
    const { account } = await createClient(system.database.db);
    const browser = new Browser(system.app!);
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await browser.login(account.email, `wrong-${i}`)).statusCode);
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.slice(5)).toEqual([429, 429]);
    const last = await browser.login(account.email, 'wrong');
    expect(last.body).toMatch(/Trop de tentatives\. Réessayez dans 1[45] minutes\./);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(800);
  });
});

describe('generated passwords by e-mail', () => {
  it('sends a first password to a known e-mail that has none, and nothing to an unknown one', async () => {
    const { account } = await createClient(system.database.db, { password: null });
    const browser = new Browser(system.app!);
    const res = await browser.post('/mot-de-passe', { email: account.email });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Si cette adresse est connue de nos services');
    const mail = await smtp.waitFor(
      (m) =>
        m.subject === 'Votre mot de passe pour l’espace client' &&
        m.text?.includes(account.full_name) === true &&
        smtp.to(account.email).includes(m),
    );
    const password = passwordIn(mail.text);
    expect((await browser.login(account.email, password)).statusCode).toBe(303);
    // Once delivered, the outbox keeps no copy of the password.
    const stored = await system.database.db
      .selectFrom('notifications')
      .select(['body_text', 'status'])
      .where('recipient', '=', account.email)
      .executeTakeFirstOrThrow();
    expect(stored.status).toBe('sent');
    expect(stored.body_text).not.toContain(password);

    const stranger = uniqueEmail('stranger');
    const unknown = await new Browser(system.app!).post('/mot-de-passe', { email: stranger });
    expect(unknown.statusCode).toBe(200);
    expect(unknown.body).toContain('Si cette adresse est connue de nos services');
    await new Promise((r) => setTimeout(r, 1000));
    expect(smtp.to(stranger)).toHaveLength(0);
  });

  it('keeps the current password working until the new one is used', async () => {
    const { account, password: old } = await createClient(system.database.db);
    await new Browser(system.app!).post('/mot-de-passe', { email: account.email });
    const mail = await smtp.waitFor((m) => smtp.to(account.email).includes(m));
    const fresh = passwordIn(mail.text);
    expect(fresh).not.toBe(old);
    expect((await new Browser(system.app!).login(account.email, old)).statusCode).toBe(303);
    expect((await new Browser(system.app!).login(account.email, fresh)).statusCode).toBe(303);
    // The new password replaced the old one when it was used.
    expect((await new Browser(system.app!).login(account.email, old)).statusCode).toBe(401);
    const stored = await findAccountByEmail(system.database.db, 'client', account.email);
    expect(stored?.pending_password_hash).toBeNull();
  });

  it('rejects a malformed address with a clear message', async () => {
    const res = await new Browser(system.app!).post('/mot-de-passe', { email: 'pas-une-adresse' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Cette adresse e-mail n’est pas valide.');
  });
});

describe('who sees what', () => {
  it('hides another client’s conversation (404, not 403) in pages and API', async () => {
    const db = system.database.db;
    const space = await createSpace(db);
    const alice = await createClient(db, { space });
    const bob = await createClient(db, { space });
    const a = new Browser(system.app!);
    await a.login(alice.account.email, alice.password);
    const created = await a.post(
      '/conversations',
      { spaceId: space.id, subject: 'Privé', body: 'Mon bail' },
      { formUrl: '/conversations/nouvelle' },
    );
    const id = /\/conversations\/([0-9a-f-]{36})/.exec(created.headers.location as string)![1]!;

    const b = new Browser(system.app!);
    await b.login(bob.account.email, bob.password);
    expect((await b.get(`/conversations/${id}`)).statusCode).toBe(404);
    expect((await b.get(`/api/v1/conversations/${id}`)).statusCode).toBe(404);
    const reply = await b.post(`/conversations/${id}/messages`, { body: 'intrusion' }, { formUrl: '/conversations' });
    expect(reply.statusCode).toBe(404);
    const list = await b.get('/conversations');
    expect(list.body).not.toContain('Privé');
    // A client cannot write into a space that does not know them.
    const other = await createSpace(db, 'Copropriété');
    const refused = await b.post(
      '/conversations',
      { spaceId: other.id, subject: 'x', body: 'y' },
      { formUrl: '/conversations/nouvelle' },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Merci de choisir le service concerné.');
  });

  it('keeps clients out of the back-office and staff sessions apart', async () => {
    const db = system.database.db;
    const client = await createClient(db);
    const browser = new Browser(system.app!);
    await browser.login(client.account.email, client.password);
    const res = await browser.get('/back-office');
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe('/back-office/connexion');
    // A client's password does not open the back-office, even for the same e-mail.
    expect((await browser.login(client.account.email, client.password, 'staff')).statusCode).toBe(401);
    const staff = await createStaff(db);
    expect((await new Browser(system.app!).login(staff.account.email, staff.password, 'client')).statusCode).toBe(401);
  });
});
