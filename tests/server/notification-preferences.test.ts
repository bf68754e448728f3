// The client's notification preferences through HTTP: who may see and save them, every choice
// stored, bad input refused in the visitor's language with what was typed, the phone number
// confirmed by the 6-digit code sent by SMS (development outbox; stored as an HMAC, 10 minutes,
// 5 tries, resends rate-limited), a new number always confirmed again, and nothing stored when the
// SMS provider refuses (Brevo's documented 402 from a local server).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import type { Db } from '../../db/connect.js';
import { notificationPreferences, pendingPhoneConfirmation } from '../../db/notification-preferences.js';
import { findAccountById } from '../../db/accounts.js';
import { createClient, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let db: Db;

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
});
afterAll(async () => {
  await system?.stop();
});

async function signedInClient(locale: 'fr' | 'en' = 'fr') {
  const { account, password } = await createClient(db, { locale });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password)).statusCode).toBe(303);
  return { account, browser };
}

/** The codes the development provider "sent" to a number, newest first. */
async function smsTo(phone: string) {
  return db
    .selectFrom('dev_sms_outbox')
    .selectAll()
    .where('recipient', '=', phone)
    .orderBy('created_at', 'desc')
    .execute();
}

function codeOf(body: string): string {
  const match = /\b(\d{6})\b/.exec(body);
  if (!match) throw new Error(`no code in "${body}"`);
  return match[1]!;
}

/** A French mobile no other test uses. */
function uniqueMobile(): { typed: string; e164: string } {
  const digits = String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
  return { typed: `06 ${digits.replace(/(\d{2})(?=\d)/g, '$1 ')}`, e164: `+336${digits}` };
}

const save = (browser: Browser, fields: Record<string, string>) =>
  browser.post('/preferences', { emailMode: 'each', smsMode: 'none', phone: '', locale: 'fr', ...fields });

describe('notification preferences', () => {
  it('are for signed-in clients only, linked from the header, and refuse a form without its CSRF token', async () => {
    const anonymous = new Browser(system.app!);
    expect((await anonymous.get('/preferences')).headers.location).toBe('/connexion');
    const { account: staff, password } = await createStaff(db);
    const office = new Browser(system.app!);
    await office.login(staff.email, password, 'staff');
    const staffVisit = await office.get('/preferences');
    // Staff are no client: sent to the client sign-in like anyone without a client session.
    expect(staffVisit.statusCode).toBe(302);
    expect(staffVisit.headers.location).toBe('/connexion');
    expect(staffVisit.body).not.toContain('Mes préférences de notification');

    const { account, browser } = await signedInClient();
    const page = await browser.get('/preferences');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Mes préférences de notification');
    expect(page.body).toContain('name="emailMode" value="each" checked');
    expect(page.body).toContain('name="smsMode" value="none" checked');
    expect((await browser.get('/conversations')).body).toContain('href="/preferences"');

    const forged = await browser.post(
      '/preferences',
      { emailMode: 'none', smsMode: 'none', phone: '', locale: 'fr' },
      { csrf: null },
    );
    expect(forged.statusCode).toBe(403);
    expect((await notificationPreferences(db, account.id)).emailMode).toBe('each');
  });

  it('stores the e-mail choice and the language of notifications, with a clear confirmation', async () => {
    const { account, browser } = await signedInClient();
    const saved = await save(browser, { emailMode: 'daily', locale: 'en' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/preferences?fait=enregistre');
    expect((await notificationPreferences(db, account.id)).emailMode).toBe('daily');
    expect((await findAccountById(db, account.id))!.locale).toBe('en');
    // The page still speaks the language the client reads it in (their cookie or account).
    const page = await browser.get(saved.headers.location as string);
    expect(page.body).toMatch(/role="status">(Vos préférences sont enregistrées\.|Your preferences are saved\.)</);
    expect(page.body).toContain('name="emailMode" value="daily" checked');
    expect(page.body).toContain('name="locale" value="en" checked');
    await save(browser, { emailMode: 'none', locale: 'fr' });
    expect((await notificationPreferences(db, account.id)).emailMode).toBe('none');
  });

  it('refuses bad input in the visitor’s language, keeping what was typed and storing nothing', async () => {
    const { account, browser } = await signedInClient();
    const cases: Array<[Record<string, string>, string]> = [
      [{ smsMode: 'each', phone: '' }, 'Pour être prévenu par SMS, indiquez votre numéro de téléphone mobile.'],
      [{ smsMode: 'each', phone: '01 23 45 67 89' }, 'Ce numéro n’est pas un mobile'],
      [{ smsMode: 'each', phone: '06 12 34' }, 'Ce numéro de téléphone n’est pas complet'],
      [{ smsMode: 'each', phone: '06 12 <b>34</b>' }, 'ne peut contenir que des chiffres'],
      [{ emailMode: 'hourly' }, 'Choisissez comment être prévenu par e-mail.'],
      [{ locale: 'de' }, 'Choisissez la langue des notifications'],
      [{ smsMode: 'always' }, 'Choisissez si vous voulez être prévenu par SMS.'],
    ];
    for (const [fields, message] of cases) {
      const res = await save(browser, { emailMode: 'daily', ...fields });
      expect(res.statusCode, JSON.stringify(fields)).toBe(400);
      expect(res.body).toContain(message);
      // What was typed comes back: the e-mail choice stays as chosen (none, for an unknown one).
      if (!fields.emailMode) expect(res.body).toContain('name="emailMode" value="daily" checked');
      else expect(res.body).not.toMatch(/name="emailMode" value="\w+" checked/);
    }
    const typed = await save(browser, { smsMode: 'each', phone: '06 12 <b>34</b>' });
    expect(typed.body).toContain('value="06 12 &lt;b&gt;34&lt;/b&gt;"');
    expect(typed.body).not.toContain('<b>34</b>');
    expect(await notificationPreferences(db, account.id)).toMatchObject({ emailMode: 'each', phone: null });

    const english = await signedInClient('en');
    const refused = await english.browser.post(
      '/preferences',
      { emailMode: 'each', smsMode: 'each', phone: '01 23 45 67 89', locale: 'en' },
      { formUrl: '/preferences' },
    );
    // The visitor's language comes from the account when no cookie or header says otherwise.
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('This number is not a mobile: in France, SMS go to numbers starting with 06 or 07.');
  });

  it('confirms a new number with the 6-digit code sent by SMS, then turns SMS for each answer on', async () => {
    const { account, browser } = await signedInClient();
    const mobile = uniqueMobile();
    const saved = await save(browser, { smsMode: 'each', phone: mobile.typed });
    expect(saved.headers.location).toBe('/preferences?fait=code#confirmation');
    // Until the code comes back, no SMS goes: the number is stored unconfirmed.
    expect(await notificationPreferences(db, account.id)).toMatchObject({
      smsMode: 'none',
      phone: mobile.e164,
      phoneConfirmed: false,
    });
    const sent = await smsTo(mobile.e164);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatch(/^Guichet : votre code de confirmation est \d{6}\. Il expire dans 10 minutes\./);
    const code = codeOf(sent[0]!.body);
    // The code is kept only as an HMAC.
    const pending = await pendingPhoneConfirmation(db, account.id);
    expect(pending).toMatchObject({ phone: mobile.e164, attempts: 0 });
    expect(pending!.code_digest).not.toContain(code);
    expect(pending!.expires_at.getTime() - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(pending!.expires_at.getTime() - Date.now()).toBeLessThanOrEqual(10 * 60_000);

    const page = await browser.get('/preferences?fait=code');
    expect(page.body).toContain('Confirmer votre numéro');
    expect(page.body).toContain('+33 6');
    expect(page.body).toContain('name="smsMode" value="each" checked');

    const wrongCode = code === '000000' ? '000001' : '000000';
    const wrong = await browser.post(
      '/preferences/telephone/confirmation',
      { code: wrongCode },
      { formUrl: '/preferences' },
    );
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Ce code n’est pas le bon. Il vous reste 4 essais.');
    expect(wrong.body).toContain(`value="${wrongCode}"`);
    const malformed = await browser.post(
      '/preferences/telephone/confirmation',
      { code: '12a' },
      { formUrl: '/preferences' },
    );
    expect(malformed.body).toContain('Le code reçu par SMS a 6 chiffres.');

    const right = await browser.post(
      '/preferences/telephone/confirmation',
      { code: `${code.slice(0, 3)} ${code.slice(3)}` },
      { formUrl: '/preferences' },
    );
    expect(right.headers.location).toBe('/preferences?fait=confirme#confirmation');
    expect(await notificationPreferences(db, account.id)).toMatchObject({
      smsMode: 'each',
      phone: mobile.e164,
      phoneConfirmed: true,
    });
    expect(await pendingPhoneConfirmation(db, account.id)).toBeUndefined();
    const confirmed = await browser.get('/preferences?fait=confirme');
    expect(confirmed.body).toContain('Votre numéro est confirmé');
    expect(confirmed.body).toContain('Numéro confirmé\u00a0: +33\u00a06');

    // Saving again with the same number keeps it confirmed; SMS can be turned off and on freely.
    await save(browser, { smsMode: 'none', phone: mobile.typed });
    expect(await notificationPreferences(db, account.id)).toMatchObject({ smsMode: 'none', phoneConfirmed: true });
    await save(browser, { smsMode: 'each', phone: mobile.e164 });
    expect(await notificationPreferences(db, account.id)).toMatchObject({ smsMode: 'each', phoneConfirmed: true });
    expect(await smsTo(mobile.e164)).toHaveLength(1);

    // A new number always needs its own confirmation: SMS stop until then.
    const other = uniqueMobile();
    await save(browser, { smsMode: 'each', phone: other.typed });
    expect(await notificationPreferences(db, account.id)).toMatchObject({
      smsMode: 'none',
      phone: other.e164,
      phoneConfirmed: false,
    });
    expect(await smsTo(other.e164)).toHaveLength(1);
    // An empty number removes it, and SMS with it.
    await save(browser, { smsMode: 'none', phone: '' });
    expect(await notificationPreferences(db, account.id)).toMatchObject({ smsMode: 'none', phone: null });
    expect(await pendingPhoneConfirmation(db, account.id)).toBeUndefined();
  });

  it('allows 5 tries per code, and a code another client received confirms nothing', async () => {
    const first = await signedInClient();
    const second = await signedInClient();
    const mobile = uniqueMobile();
    await save(first.browser, { smsMode: 'each', phone: mobile.typed });
    await save(second.browser, { smsMode: 'each', phone: uniqueMobile().typed });
    const firstCode = codeOf((await smsTo(mobile.e164))[0]!.body);
    const other = await second.browser.post(
      '/preferences/telephone/confirmation',
      { code: firstCode },
      { formUrl: '/preferences' },
    );
    expect(other.statusCode).toBe(400);
    expect((await notificationPreferences(db, second.account.id)).phoneConfirmed).toBe(false);

    const wrongCode = firstCode === '999999' ? '999998' : '999999';
    for (let i = 0; i < 4; i++)
      await first.browser.post('/preferences/telephone/confirmation', { code: wrongCode }, { formUrl: '/preferences' });
    // The fifth try is the last: even the right code is refused after it.
    const fifth = await first.browser.post(
      '/preferences/telephone/confirmation',
      { code: wrongCode },
      { formUrl: '/preferences' },
    );
    expect(fifth.body).toContain('Ce code a expiré ou a été saisi trop de fois');
    const late = await first.browser.post(
      '/preferences/telephone/confirmation',
      { code: firstCode },
      { formUrl: '/preferences' },
    );
    expect(late.body).toContain('Ce code a expiré ou a été saisi trop de fois');
    expect((await notificationPreferences(db, first.account.id)).phoneConfirmed).toBe(false);

    // A new code starts again, and works.
    const resent = await first.browser.post('/preferences/telephone/code', {}, { formUrl: '/preferences' });
    expect(resent.headers.location).toBe('/preferences?fait=renvoye#confirmation');
    const newCode = codeOf((await smsTo(mobile.e164))[0]!.body);
    const ok = await first.browser.post(
      '/preferences/telephone/confirmation',
      { code: newCode },
      { formUrl: '/preferences' },
    );
    expect(ok.statusCode).toBe(303);
    expect((await notificationPreferences(db, first.account.id)).phoneConfirmed).toBe(true);
  });

  it('refuses an expired code', async () => {
    const { account, browser } = await signedInClient();
    const mobile = uniqueMobile();
    await save(browser, { smsMode: 'each', phone: mobile.typed });
    const code = codeOf((await smsTo(mobile.e164))[0]!.body);
    await db
      .updateTable('phone_confirmations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('account_id', '=', account.id)
      .execute();
    const late = await browser.post('/preferences/telephone/confirmation', { code }, { formUrl: '/preferences' });
    expect(late.body).toContain('Ce code a expiré');
    expect((await notificationPreferences(db, account.id)).phoneConfirmed).toBe(false);
  });

  it('limits the codes sent: after 5 in an hour, the page says when to try again', async () => {
    const { browser } = await signedInClient();
    const mobile = uniqueMobile();
    await save(browser, { smsMode: 'each', phone: mobile.typed });
    for (let i = 0; i < 4; i++)
      expect((await browser.post('/preferences/telephone/code', {}, { formUrl: '/preferences' })).statusCode).toBe(303);
    const refused = await browser.post('/preferences/telephone/code', {}, { formUrl: '/preferences' });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.body).toContain('Trop de tentatives');
    expect(await smsTo(mobile.e164)).toHaveLength(5);
  });

  it('sends nothing and refuses to resend when no number waits', async () => {
    const { browser } = await signedInClient();
    const res = await browser.post('/preferences/telephone/code', {}, { formUrl: '/preferences' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Aucun numéro n’attend de confirmation');
    const confirm = await browser.post(
      '/preferences/telephone/confirmation',
      { code: '123456' },
      { formUrl: '/preferences' },
    );
    expect(confirm.body).toContain('Aucun numéro n’attend de confirmation');
  });
});

describe('notification preferences when the SMS provider refuses', () => {
  let brevo: Server;
  let refusing: RunningSystem & { url: string };

  beforeAll(async () => {
    // Brevo's documented answer when the account has no credits left.
    brevo = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(402, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'not_enough_credits', message: 'Not enough credits' }));
      });
    });
    await new Promise<void>((resolve) => brevo.listen(0, '127.0.0.1', resolve));
    refusing = await startTestSystem({
      SMS_PROVIDER: 'brevo',
      BREVO_API_KEY: 'xkeysib-test',
      BREVO_API_URL: `http://127.0.0.1:${(brevo.address() as AddressInfo).port}/v3`,
    });
  });
  afterAll(async () => {
    await refusing?.stop();
    await new Promise<void>((resolve) => brevo?.close(() => resolve()));
  });

  it('stores nothing, keeps what was typed and says so', async () => {
    const { account, password } = await createClient(refusing.database.db);
    const browser = new Browser(refusing.app!);
    await browser.login(account.email, password);
    const res = await browser.post('/preferences', {
      emailMode: 'daily',
      smsMode: 'each',
      phone: '07 00 00 00 42',
      locale: 'en',
    });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('Le SMS n’a pas pu être envoyé ; rien n’a été modifié.');
    expect(res.body).toContain('value="07 00 00 00 42"');
    expect(await notificationPreferences(refusing.database.db, account.id)).toMatchObject({
      emailMode: 'each',
      phone: null,
    });
    expect(await pendingPhoneConfirmation(refusing.database.db, account.id)).toBeUndefined();
    expect((await findAccountById(refusing.database.db, account.id))!.locale).toBe('fr');
  });
});
