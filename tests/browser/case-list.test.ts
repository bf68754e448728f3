// The back-office case list and the case page's assignment and notepad in a real browser
// (Chromium through playwright-core), on a desk screen and on a phone, driven by the keyboard
// where staff would. 400 cases are seeded in a space of this file's own. Screenshots go to
// artifacts/screenshots/.
import { randomBytes } from 'node:crypto';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/connect.js';
import type { Account, CaseStatus, PaymentState, Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { cloneTemplate } from '../helpers/documents.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { startTestSystem } from '../helpers/system.js';
import { deviceOptions, launchChromium, screenshot, signIn } from '../helpers/browser.js';

const CASES = 400;
const statusOf = (i: number): CaseStatus => (i % 7 === 0 ? 'closed' : i % 5 === 0 ? 'complete' : 'open');
const paymentOf = (i: number): PaymentState => (i % 3 === 0 ? 'unpaid' : 'paid');

let system: RunningSystem & { url: string };
let db: Db;
let browser: Browser;
const contexts: BrowserContext[] = [];
let staff: { email: string; password: string };
let colleague: Account;
let space: Space;
let firstCaseId: string;

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
  browser = await launchChromium();
  space = await createSpace(db, `Crédit auto ${randomBytes(2).toString('hex')}`);
  const { account, password } = await createStaff(db, { name: 'Julien Bernard', spaces: [space] });
  staff = { email: account.email, password };
  colleague = (await createStaff(db, { name: 'Inès Faure', spaces: [space] })).account;
  const lease = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
  const names = ['Élise Fontaine-Noël', 'Rémi Carpentier', 'Maëlle Joubert', 'Loïc Vasseur', 'Zoé Lambertin'];
  const clients = await Promise.all(names.map(async (name) => (await createClient(db, { space, name })).account));
  const run = randomBytes(2).toString('hex').toUpperCase();
  const titles = [
    'Location avec option d’achat — Peugeot e-208',
    'Crédit-bail Renault Kangoo',
    'Prêt personnel travaux',
    'LLD Tesla Model 3',
  ];
  const rows = Array.from({ length: CASES }, (_, i) => ({
    space_id: space.id,
    template_id: lease.id,
    client_account_id: clients[i % clients.length]!.id,
    number: `TELEFI-${run}-${String(i).padStart(4, '0')}`,
    title: titles[i % titles.length]!,
    facts: '{}',
    collection_started_at: new Date(),
    created_at: new Date(Date.now() - (CASES - i) * 60_000),
    status: statusOf(i),
    payment_state: paymentOf(i),
    payment_amount_cents: i % 3 === 0 ? 150_000 + i * 100 : null,
    assignee_account_id: i % 4 === 0 ? colleague.id : null,
  }));
  const inserted = await db.insertInto('cases').values(rows).returning(['id', 'created_at']).execute();
  firstCaseId = inserted.sort((a, b) => b.created_at.getTime() - a.created_at.getTime())[0]!.id;
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await system?.stop();
});

async function staffPage(phone = false): Promise<Page> {
  const context = await browser.newContext(deviceOptions(phone, system.url));
  contexts.push(context);
  const page = await context.newPage();
  await signIn(page, staff, 'staff');
  return page;
}

const rowsShown = (page: Page) => page.locator('table.case-table tbody tr').count();

describe('case list in a browser', () => {
  it('pages 400 cases at 10 and at 350 rows, on a desk and on a phone, by keyboard', async () => {
    for (const phone of [false, true]) {
      const page = await staffPage(phone);
      const device = phone ? 'phone' : 'desktop';
      await page.goto(`/back-office/dossiers?espace=${space.id}`);
      // By keyboard: the rows field, a number, Enter.
      await page.getByLabel('Lignes par page').focus();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('10');
      await Promise.all([page.waitForURL(/lignes=10/), page.keyboard.press('Enter')]);
      expect(await rowsShown(page)).toBe(10);
      expect(await page.locator('.list-count').innerText()).toBe('Dossiers 1 à 10 sur 400');
      expect(await page.locator('.pager').innerText()).toContain('Page 1 sur 40');
      await screenshot(page, `caselist-10-rows-${device}`);

      // The next page, reached with Tab and Enter on its link.
      await page.getByRole('link', { name: 'Page suivante →' }).focus();
      await Promise.all([page.waitForURL(/page=2/), page.keyboard.press('Enter')]);
      expect(await page.locator('.list-count').innerText()).toBe('Dossiers 11 à 20 sur 400');

      await page.goto(`/back-office/dossiers?espace=${space.id}&lignes=350`);
      expect(await rowsShown(page)).toBe(350);
      expect(await page.locator('.list-count').innerText()).toBe('Dossiers 1 à 350 sur 400');
      // 350 rows are too tall for one picture: the top of the list, then its end with the pager.
      await screenshot(page, `caselist-350-rows-${device}`, false);
      await page.locator('.pager').scrollIntoViewIfNeeded();
      await screenshot(page, `caselist-350-rows-${device}-end`, false);

      // Remembered: the list opens at 350 rows next time.
      await page.goto(`/back-office/dossiers?espace=${space.id}`);
      expect(await rowsShown(page)).toBe(350);
      await page.goto(`/back-office/dossiers?espace=${space.id}&lignes=10`);
    }
  });

  it('searches and filters from the form, and refuses 351 rows with a message', async () => {
    const page = await staffPage();
    await page.goto('/back-office/dossiers');
    await page.getByLabel('Espace').selectOption(space.id);
    await page.getByLabel('Paiement').selectOption('unpaid');
    await page.getByLabel('Attribué à').selectOption(colleague.id);
    await page.getByLabel('Rechercher (n°, intitulé, client, e-mail, résumé)').fill('elise PEUGEOT');
    await Promise.all([page.waitForURL(/paiement=unpaid/), page.getByRole('button', { name: 'Appliquer' }).click()]);
    const texts = await page.locator('table.case-table tbody tr').allInnerTexts();
    expect(texts.length).toBeGreaterThan(0);
    for (const text of texts) {
      expect(text).toContain('Élise Fontaine-Noël');
      expect(text).toContain('Peugeot');
      expect(text).toContain('Impayé');
      expect(text).toContain('Inès Faure');
    }
    await screenshot(page, 'caselist-filtered-desktop');

    await page.goto(`/back-office/dossiers?espace=${space.id}&lignes=351`);
    const alert = page.getByRole('alert');
    expect(await alert.innerText()).toContain(
      '« 351 » lignes par page n’est pas possible : choisissez un nombre de 10 à 350.',
    );
    expect(await page.getByLabel('Lignes par page').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'caselist-rows-refused-desktop', false);
  });

  it('assigns the case and writes in the notepad from the case page, on a desk and on a phone', async () => {
    const page = await staffPage();
    await page.goto(`/back-office/dossiers/${firstCaseId}`);
    await page.getByLabel('Collaborateur en charge').selectOption({ label: 'Julien Bernard' });
    await Promise.all([page.waitForURL(/fait=attribue/), page.getByRole('button', { name: 'Attribuer' }).click()]);
    expect(await page.locator('#attribution').innerText()).toContain('Dossier attribué à Julien Bernard.');
    // By keyboard: the notepad's field, the text, Tab to the button, Enter.
    await page.getByLabel('Nouvelle note').focus();
    await page.keyboard.type('Le client rappelle lundi pour le garant.');
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL(/fait=note/), page.keyboard.press('Enter')]);
    expect(await page.locator('#bloc-notes .notes').innerText()).toContain('Le client rappelle lundi pour le garant.');
    await page.locator('#attribution').scrollIntoViewIfNeeded();
    await screenshot(page, 'caselist-case-work-desktop');

    const phone = await staffPage(true);
    await phone.goto(`/back-office/dossiers/${firstCaseId}#attribution`);
    expect(await phone.getByLabel('Collaborateur en charge').inputValue()).not.toBe('');
    expect(await phone.locator('#bloc-notes .notes').innerText()).toContain('Julien Bernard');
    await screenshot(phone, 'caselist-case-work-phone');
  });
});
