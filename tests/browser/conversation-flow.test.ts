// The conversation slice in a real browser (Chromium through playwright-core), at desktop and
// phone sizes: client writes, sees the acknowledgement, staff answer, client sees the answer.
// Also keyboard-only use and the English version. Screenshots go to artifacts/screenshots/.
import path from 'node:path';
import { type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { recipients, startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';
import { SCREENSHOTS, launchChromium } from '../helpers/browser.js';
import { axeContextOptions, expectNoAxeViolations } from '../helpers/axe.js';

const DEVICES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
} satisfies Record<string, BrowserContextOptions>;
type DeviceName = keyof typeof DEVICES;

const ACK_FR = 'votre demande est bien prise en compte';
const ACK_EN = 'your request has been received and is being handled';

let system: RunningSystem & { url: string };
let smtp: TestSmtp;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  smtp = await startSmtp();
  system = await startTestSystem({ SMTP_URL: smtp.url });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await system?.stop();
  await smtp?.close();
});

/** A fresh browser profile (cookies apart) for one person, in French like most visitors. */
async function newPage(device: DeviceName, locale = 'fr-FR'): Promise<Page> {
  const context = await browser.newContext({ ...DEVICES[device], locale, baseURL: system.url, ...axeContextOptions });
  contexts.push(context);
  return context.newPage();
}

/** Full-page screenshot; on every page, nothing may stick out sideways (phones!). */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  // Page code as a string: the project compiles without the DOM library.
  const overflow = await page.evaluate<number>(
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
  );
  expect(overflow, `${name}: the page is ${overflow}px wider than the viewport`).toBeLessThanOrEqual(0);
}

async function heading(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).innerText()).trim();
}

async function isShown(page: Page, text: string): Promise<boolean> {
  return page.getByText(text).first().isVisible();
}

/** Reloads until the text is visible (the workflow writes asynchronously), bounded. */
async function reloadUntilShown(page: Page, text: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isShown(page, text))) {
    if (Date.now() > deadline) throw new Error(`"${text}" not shown on ${page.url()} after ${timeoutMs} ms`);
    await page.waitForTimeout(250);
    await page.reload();
  }
}

/** The status badge next to the thread title. */
async function threadStatus(page: Page): Promise<string> {
  return (await page.locator('.heading-row .badge').innerText()).trim();
}

/** What has the keyboard focus: id, tag and accessible-ish text. */
async function focused(page: Page): Promise<{ id: string; tag: string; text: string }> {
  return page.evaluate<{ id: string; tag: string; text: string }>(`(() => {
    const el = document.activeElement;
    return { id: el?.id ?? '', tag: el?.tagName.toLowerCase() ?? '', text: (el?.innerText ?? '').trim() };
  })()`);
}

/** Presses Tab until the focus matches, at most `max` times. */
async function tabTo(
  page: Page,
  match: (f: { id: string; tag: string; text: string }) => boolean,
  what: string,
  max = 15,
): Promise<void> {
  for (let i = 0; i <= max; i++) {
    if (match(await focused(page))) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`${what} not reached with ${max} Tab presses (focus on ${JSON.stringify(await focused(page))})`);
}

async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await Promise.all([page.waitForURL('**/conversations'), page.getByRole('button', { name: 'Se connecter' }).click()]);
}

const SCENARIOS: Array<{ device: DeviceName; subject: string; body: string; answer: string }> = [
  {
    device: 'desktop',
    subject: 'Fuite dans la salle de bain',
    body: 'Bonjour,\nde l’eau coule sous la baignoire depuis ce matin.',
    answer: 'Un plombier passe demain matin entre 8 h et 10 h.',
  },
  {
    device: 'phone',
    subject: 'Chaudière en panne depuis dimanche soir, plus d’eau chaude dans tout l’appartement',
    body: 'Bonjour,\nla chaudière affiche le code F28 et ne redémarre pas.',
    answer: 'Le chauffagiste vous appelle aujourd’hui pour fixer un rendez-vous.',
  },
];

describe('conversation slice in a browser', () => {
  for (const scenario of SCENARIOS) {
    const { device } = scenario;
    it(`client writes, sees the acknowledgement, staff answer, client sees the answer (${device})`, async () => {
      const db = system.database.db;
      const space = await createSpace(db, 'Gestion locative');
      const { account: client, password } = await createClient(db, { space, name: 'Claire Martin' });
      const { account: staff, password: staffPassword } = await createStaff(db, {
        name: 'Julien Bernard',
        spaces: [space],
      });

      // The client logs in.
      const page = await newPage(device);
      await page.goto('/connexion');
      expect(await heading(page)).toBe('Connexion à votre espace client');
      await expectNoAxeViolations(page, `01-client-login (${device})`);
      await screenshot(page, `${device}-01-client-login`);
      await logIn(page, client.email, password);
      expect(await heading(page)).toBe('Mes messages');
      expect(await isShown(page, 'Vous n’avez encore écrit aucun message.')).toBe(true);
      await expectNoAxeViolations(page, `02-client-no-messages (${device})`);
      await screenshot(page, `${device}-02-client-no-messages`);

      // Writes a message.
      await Promise.all([
        page.waitForURL('**/conversations/nouvelle'),
        page.getByRole('link', { name: 'Écrire un nouveau message' }).click(),
      ]);
      expect(await heading(page)).toBe('Nouveau message');
      await page.getByLabel('Objet').fill(scenario.subject);
      await page.getByLabel('Votre message').fill(scenario.body);
      await expectNoAxeViolations(page, `03-client-compose (${device})`);
      await screenshot(page, `${device}-03-client-compose`);
      await Promise.all([
        page.waitForURL(/\/conversations\/[0-9a-f-]{36}$/),
        page.getByRole('button', { name: 'Envoyer', exact: true }).click(),
      ]);
      const threadUrl = page.url();

      // Lands on the thread: their message, then the acknowledgement.
      expect(await heading(page)).toBe(scenario.subject);
      expect(await isShown(page, scenario.body.split('\n')[1] ?? scenario.body)).toBe(true);
      await reloadUntilShown(page, ACK_FR);
      expect(await isShown(page, 'Accusé de réception')).toBe(true);
      expect(await threadStatus(page)).toBe('En attente de réponse');
      await expectNoAxeViolations(page, `04-client-thread-acknowledged (${device})`);
      await screenshot(page, `${device}-04-client-thread-acknowledged`);

      // Staff, in their own browser profile, open the conversation and answer.
      const office = await newPage(device);
      await office.goto('/back-office/connexion');
      expect(await heading(office)).toBe('Connexion au back-office');
      await screenshot(office, `${device}-05-staff-login`);
      await office.getByLabel('Adresse e-mail').fill(staff.email);
      await office.getByLabel('Mot de passe').fill(staffPassword);
      await Promise.all([
        office.waitForURL('**/back-office'),
        office.getByRole('button', { name: 'Se connecter' }).click(),
      ]);
      expect(await heading(office)).toBe('Conversations');
      const row = office.getByRole('row').filter({ hasText: scenario.subject });
      expect(await row.innerText()).toContain(client.email);
      expect(await row.innerText()).toContain('À traiter');
      await screenshot(office, `${device}-06-staff-list`);

      // Late already (as if 50 hours had passed) and assigned in Redmine: the at-risk list, by assignee.
      const conversationId = threadUrl.split('/').pop()!;
      await db
        .updateTable('conversations')
        .set({
          sla_started_at: sql<Date>`now() - interval '50 hours'`,
          sla_target_at: sql<Date>`now() - interval '26 hours'`,
          sla_max_at: sql<Date>`now() - interval '2 hours'`,
          assignee_redmine_id: 4242,
          assignee_name: 'Camille Roux',
          assignee_email: 'camille.roux@agence.test',
        })
        .where('id', '=', conversationId)
        .execute();
      await Promise.all([
        office.waitForURL('**/back-office/delais'),
        office.getByRole('link', { name: 'Délais à risque' }).click(),
      ]);
      await office.getByLabel('Assigné à').selectOption({ label: 'Camille Roux (1)' });
      await Promise.all([
        office.waitForURL('**/back-office/delais?*'),
        office.getByRole('button', { name: 'Filtrer' }).click(),
      ]);
      const late = office.getByRole('row').filter({ hasText: scenario.subject });
      expect(await late.innerText()).toContain('Hors délai');
      expect(await late.innerText()).toContain('Camille Roux');
      await screenshot(office, `${device}-06b-staff-at-risk-by-assignee`);
      await office.goto('/back-office');
      await Promise.all([
        office.waitForURL('**/back-office/conversations/*'),
        row.getByRole('link', { name: scenario.subject }).click(),
      ]);
      expect(await heading(office)).toBe(scenario.subject);
      expect(await isShown(office, ACK_FR)).toBe(true);
      await office.getByLabel('Votre message').fill(scenario.answer);
      await screenshot(office, `${device}-07-staff-thread`);
      await Promise.all([
        office.waitForURL('**/back-office/conversations/*'),
        office.getByRole('button', { name: 'Envoyer la réponse' }).click(),
      ]);
      expect(await isShown(office, scenario.answer)).toBe(true);
      expect(await threadStatus(office)).toBe('Répondu');
      await screenshot(office, `${device}-08-staff-answered`);

      // The client reloads: the answer, signed by the staff member, and the status "Répondu".
      await page.goto(threadUrl);
      expect(await isShown(page, scenario.answer)).toBe(true);
      expect(await page.locator('.message.from-staff .meta').innerText()).toContain('Julien Bernard');
      expect(await threadStatus(page)).toBe('Répondu');
      await expectNoAxeViolations(page, `09-client-thread-answered (${device})`);
      await screenshot(page, `${device}-09-client-thread-answered`);
      await page.getByRole('link', { name: 'Retour à mes messages' }).click();
      await page.waitForURL('**/conversations');
      const item = page.getByRole('listitem').filter({ hasText: scenario.subject });
      expect(await item.innerText()).toContain('Répondu');
      await screenshot(page, `${device}-10-client-list-answered`);

      // And by e-mail.
      const mail = await smtp.waitFor((m) => m.subject === `Nouvelle réponse à votre demande : ${scenario.subject}`);
      expect(mail.text).toContain(scenario.answer);

      // Staff ask whether the answer settles it; the client says yes.
      await Promise.all([
        office.waitForURL('**/back-office/conversations/*'),
        office.getByRole('button', { name: 'Demander au client si sa demande est résolue' }).click(),
      ]);
      await page.goto(threadUrl);
      await reloadUntilShown(page, 'Notre réponse a-t-elle réglé votre demande ?');
      await screenshot(page, `${device}-11-client-satisfaction-question`);
      await Promise.all([
        page.waitForURL('**/conversations/*'),
        page.getByRole('button', { name: 'Oui, ma demande est résolue' }).click(),
      ]);
      expect(await threadStatus(page)).toBe('Résolu');
      expect(await isShown(page, 'Notre réponse a-t-elle réglé votre demande ?')).toBe(false);
      await screenshot(page, `${device}-12-client-resolved`);
    });
  }

  it('can be used with the keyboard only: log in, open "Nouveau message", send', async () => {
    const db = system.database.db;
    const space = await createSpace(db, 'Syndic');
    const { account: client, password } = await createClient(db, { space, name: 'Karim Keyboard' });
    const page = await newPage('desktop');
    await page.goto('/connexion');

    // The first Tab reaches the skip link, then the fields, in reading order.
    await page.keyboard.press('Tab');
    await tabTo(page, (f) => f.id === 'email', 'the e-mail field');
    await page.keyboard.type(client.email);
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('password');
    await page.keyboard.type(password);
    await screenshot(page, 'keyboard-01-login-filled');
    await Promise.all([page.waitForURL('**/conversations'), page.keyboard.press('Enter')]);
    expect(await heading(page)).toBe('Mes messages');

    await tabTo(page, (f) => f.tag === 'a' && f.text === 'Nouveau message', 'the "Nouveau message" link');
    await screenshot(page, 'keyboard-02-new-message-link-focused');
    await Promise.all([page.waitForURL('**/conversations/nouvelle'), page.keyboard.press('Enter')]);
    expect(await heading(page)).toBe('Nouveau message');

    await tabTo(page, (f) => f.id === 'subject', 'the subject field');
    await page.keyboard.type('Badge du parking perdu');
    await page.keyboard.press('Tab');
    expect((await focused(page)).id).toBe('body');
    // Enter in the text area is a new line, not a submission.
    await page.keyboard.type('Bonjour,\nj’ai perdu mon badge du parking. Comment en obtenir un autre ?');
    await tabTo(page, (f) => f.tag === 'button' && f.text === 'Envoyer', 'the send button', 3);
    await screenshot(page, 'keyboard-03-send-focused');
    expect(page.url()).toMatch(/\/conversations\/nouvelle$/);
    await Promise.all([page.waitForURL(/\/conversations\/[0-9a-f-]{36}$/), page.keyboard.press('Enter')]);

    expect(await heading(page)).toBe('Badge du parking perdu');
    expect(await isShown(page, 'j’ai perdu mon badge du parking.')).toBe(true);
    await reloadUntilShown(page, ACK_FR);
    await screenshot(page, 'keyboard-04-thread');
    const stored = await db
      .selectFrom('conversations')
      .select('subject')
      .where('client_account_id', '=', client.id)
      .execute();
    expect(stored).toEqual([{ subject: 'Badge du parking perdu' }]);
  });

  for (const device of ['desktop', 'phone'] as const) {
    it(`switches to English from the header, before and after logging in (${device})`, async () => {
      const db = system.database.db;
      const space = await createSpace(db, 'Gestion locative');
      const { account: client, password } = await createClient(db, { space, name: 'Emma English' });
      const page = await newPage(device);
      await page.goto('/connexion');
      expect(await heading(page)).toBe('Connexion à votre espace client');

      await Promise.all([page.waitForURL('**/connexion'), page.getByRole('link', { name: 'English' }).click()]);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await heading(page)).toBe('Log in to your client space');
      expect(await isShown(page, 'E-mail address')).toBe(true);
      expect(await isShown(page, 'First visit or forgotten password?')).toBe(true);
      expect(await page.getByRole('link', { name: 'Français' }).isVisible()).toBe(true);
      await expectNoAxeViolations(page, `en-01-login (${device})`);
      await screenshot(page, `${device}-en-01-login`);

      await page.getByLabel('E-mail address').fill(client.email);
      await page.getByLabel('Password').fill(password);
      await Promise.all([page.waitForURL('**/conversations'), page.getByRole('button', { name: 'Log in' }).click()]);
      expect(await heading(page)).toBe('My messages');
      expect(await isShown(page, 'You have not written any message yet.')).toBe(true);

      await Promise.all([
        page.waitForURL('**/conversations/nouvelle'),
        page.getByRole('link', { name: 'New message', exact: true }).click(),
      ]);
      expect(await heading(page)).toBe('New message');
      await page.getByLabel('Subject').fill('Noise at night');
      await page.getByLabel('Your message').fill('Hello,\nthe neighbours upstairs are very loud after midnight.');
      expect(await isShown(page, 'Copy to (optional)')).toBe(true);
      await expectNoAxeViolations(page, `en-02-compose (${device})`);
      await screenshot(page, `${device}-en-02-compose`);
      await Promise.all([
        page.waitForURL(/\/conversations\/[0-9a-f-]{36}$/),
        page.getByRole('button', { name: 'Send', exact: true }).click(),
      ]);

      // The acknowledgement follows the language chosen on the login page.
      await reloadUntilShown(page, ACK_EN);
      expect(await isShown(page, 'Acknowledgement')).toBe(true);
      expect(await threadStatus(page)).toBe('Waiting for an answer');
      expect(await isShown(page, 'Back to my messages')).toBe(true);
      await expectNoAxeViolations(page, `en-03-thread (${device})`);
      await screenshot(page, `${device}-en-03-thread`);
      const ack = await smtp.waitFor(
        (m) => m.subject === 'Your request has been received: Noise at night' && recipients(m).includes(client.email),
      );
      expect(ack.text).toContain('Hello Emma English,');

      // And back to French.
      await Promise.all([
        page.waitForURL(/\/conversations\/[0-9a-f-]{36}$/),
        page.getByRole('link', { name: 'Français' }).click(),
      ]);
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      expect(await isShown(page, 'Retour à mes messages')).toBe(true);
      expect(await threadStatus(page)).toBe('En attente de réponse');
    });
  }
});
