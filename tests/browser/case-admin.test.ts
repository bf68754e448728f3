// Opening a case and editing a procedure in a real browser (Chromium through playwright-core),
// on a desk screen and on a phone. Screenshots go to artifacts/screenshots/.
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentTemplate, Space } from '../../db/database.js';
import { templateCategories } from '../../db/documents.js';
import type { RunningSystem } from '../../runtime/system.js';
import { cloneTemplate } from '../helpers/documents.js';
import { createSpace, createStaff, uniqueEmail } from '../helpers/fixtures.js';
import { startTestSystem } from '../helpers/system.js';
import { SCREENSHOTS, deviceOptions, launchChromium, screenshot, signIn } from '../helpers/browser.js';

let system: RunningSystem & { url: string };
let browser: Browser;
const contexts: BrowserContext[] = [];
let staff: { email: string; password: string };
let space: Space;
let lease: DocumentTemplate;
let rental: DocumentTemplate;

beforeAll(async () => {
  system = await startTestSystem();
  const db = system.database.db;
  browser = await launchChromium();
  const { account, password } = await createStaff(db, { name: 'Julien Bernard', admin: true });
  staff = { email: account.email, password };
  space = await createSpace(db, 'Crédit auto');
  lease = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
  rental = await cloneTemplate(db, 'demande-location');
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

describe('case opening and procedure editor in a browser', () => {
  it('opens a case from the staff case list', async () => {
    const page = await staffPage();
    await page.goto('/back-office/dossiers');
    await Promise.all([
      page.waitForURL('**/back-office/dossiers/nouveau'),
      page.getByRole('link', { name: 'Ouvrir un dossier' }).click(),
    ]);
    const ref = `TELEFI-2026-${Math.floor(Math.random() * 1e6)}`;
    await page.getByLabel('N° de dossier').fill(ref);
    await page.getByLabel('Intitulé').fill('Location avec option d’achat — Peugeot e-208');
    await page.getByLabel('E-mail du client').fill(uniqueEmail('lea'));
    await page.getByLabel('Nom du nouveau client').fill('Léa Moreau');
    await page.getByLabel('Espace').selectOption(space.id);
    await page.getByLabel('Procédure', { exact: true }).selectOption(lease.id);
    await page.getByLabel('Type de financement').selectOption('lease');
    await page.getByLabel('Montant de l’apport (€)').fill('18000');
    await screenshot(page, 'desk-60-case-new');
    await Promise.all([
      page.waitForURL(/\/back-office\/dossiers\/[0-9a-f-]{36}/),
      page.getByRole('button', { name: 'Ouvrir le dossier' }).click(),
    ]);
    await expect.poll(() => page.locator('body').innerText()).toContain(`Le dossier ${ref} est ouvert`);

    const phone = await staffPage(true);
    await phone.goto('/back-office/dossiers/nouveau');
    await phone.getByLabel('N° de dossier').fill(ref);
    await phone.getByLabel('E-mail du client').fill('pas-un-email');
    await Promise.all([
      phone.waitForURL('**/back-office/dossiers/nouveau'),
      phone.getByRole('button', { name: 'Ouvrir le dossier' }).click(),
    ]);
    await expect.poll(() => phone.locator('.errors').innerText()).toContain(`Le dossier ${ref} existe déjà`);
    await screenshot(phone, 'phone-60-case-new-refused');
  });

  it('edits a procedure and shows why bank statements are refused', async () => {
    const page = await staffPage();
    await Promise.all([
      page.waitForURL('**/back-office/procedures'),
      page.getByRole('link', { name: 'Procédures' }).click(),
    ]);
    await page.goto(`/back-office/procedures/${rental.id}`);
    await page.getByLabel('Jours des premières relances').fill('2, 5, 10');
    await page.locator('#c0-label').fill('Pièce d’identité');
    await Promise.all([
      page.waitForURL(/\?ok=1/),
      page.getByRole('button', { name: 'Enregistrer', exact: true }).click(),
    ]);
    await expect.poll(() => page.locator('body').innerText()).toContain('La procédure est enregistrée.');
    expect((await templateCategories(system.database.db, rental.id))[0]?.label).toBe('Pièce d’identité');
    await screenshot(page, 'desk-61-procedure-editor', false);

    // A category added with the keyboard: the section opens with Enter, its fields are filled in.
    const addCategory = page.locator('#new-category > summary');
    await addCategory.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#new-category').getAttribute('open')).not.toBeNull();
    await page.locator('#new-label').fill('Assurance habitation');
    await page.locator('#new-labelEn').fill('Home insurance');
    await page.locator('#new-refusalsFr').fill('Attestation expirée');
    await page.locator('#new-refusalsEn').fill('Expired certificate');
    await page.locator('#new-p-labelFr').fill('Attestation d’assurance');
    await page.locator('#new-p-labelEn').fill('Insurance certificate');
    await page.locator('#new-p-rule').selectOption('conditional');
    await page.locator('#new-p-w0-fact').fill('furnished');
    await page.locator('#new-p-w0-value').fill('non');
    await page
      .locator('#new-category')
      .screenshot({ path: path.join(SCREENSHOTS, 'desk-62-procedure-new-category.png') });
    await Promise.all([page.waitForURL(/\?ok=1/), page.locator('#new-p-labelEn').press('Enter')]);
    const added = (await templateCategories(system.database.db, rental.id)).at(-1)!;
    expect(added).toMatchObject({ label: 'Assurance habitation', label_en: 'Home insurance' });
    expect(added.pieces[0]?.rule).toEqual({
      kind: 'requiredWhen',
      all: [{ fact: 'furnished', op: 'eq', value: 'non' }],
    });

    const phone = await staffPage(true);
    await phone.goto(`/back-office/procedures/${rental.id}`);
    const ressources = (await templateCategories(system.database.db, rental.id)).findIndex(
      (c) => c.code === 'ressources',
    );
    await phone
      .locator(`#c${ressources}-acceptsFr`)
      .fill('Trois derniers bulletins de salaire\nTrois derniers relevés de compte');
    await phone.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await expect
      .poll(() => phone.locator('.errors').innerText())
      .toContain('ne peut pas demander de relevés de compte');
    expect(
      (await templateCategories(system.database.db, rental.id))[ressources]?.accepts.some((a) =>
        a.fr.includes('relevés'),
      ),
    ).toBe(false);
    await screenshot(phone, 'phone-61-procedure-refused', false);
  });
});
