// The case record and an unpaid case in a real browser (Chromium through playwright-core): staff
// fill in the case detail (desk and phone), the client downloads a PDF of the unpaid case in
// watermark mode and pdftoppm shows the stamp on every page, then staff mark the case paid and the
// same download is byte-identical to the stored original. Screenshots go to artifacts/screenshots/.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, DocumentTemplate, Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { insertDocuments } from '../../db/documents.js';
import { cloneTemplate, makeCase, makePdf, PNG_1PX } from '../helpers/documents.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { renderPages, run } from '../helpers/pdf.js';
import { startTestSystem } from '../helpers/system.js';
import { stampPixels, withUnpaidMode } from '../helpers/unpaid.js';
import { SCREENSHOTS, deviceOptions, launchChromium, screenshot, signIn } from '../helpers/browser.js';

let system: RunningSystem & { url: string };
let browser: Browser;
const contexts: BrowserContext[] = [];
let staff: { email: string; password: string };
let client: { account: Account; password: string };
let space: Space;
let template: DocumentTemplate;

beforeAll(async () => {
  system = await startTestSystem();
  const db = system.database.db;
  browser = await launchChromium();
  const s = await createStaff(db, { name: 'Julien Bernard', admin: true });
  staff = { email: s.account.email, password: s.password };
  space = await createSpace(db, 'Diagnostics immobiliers');
  template = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
  client = await createClient(db, { space, name: 'Nadia Benali' });
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await system?.stop();
});

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function newPage(phone: boolean): Promise<Page> {
  const context = await browser.newContext(deviceOptions(phone, system.url, { acceptDownloads: true }));
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  return page;
}

async function download(page: Page, name: string): Promise<Buffer> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: `Télécharger ${name}` }).click(),
  ]);
  expect(file.suggestedFilename()).toBe(name);
  return readFile(await file.path());
}

describe('an unpaid case in a browser', () => {
  it('stamps every page of the client’s PDF while unpaid, and serves the original once staff mark it paid', async () => {
    const db = system.database.db;
    const kase = await makeCase(db, { space, client: client.account, template, number: `LICIEL-${Date.now()}` });
    const report = await makePdf(4, 'Rapport de repérage amiante');

    // The helper holds the mode for this test (other test files share the setting); the
    // administrator then chooses watermark in the settings page.
    await withUnpaidMode(db, 'off', async () => {
      const desk = await newPage(false);
      await signIn(desk, staff, 'staff');
      await desk.goto('/back-office/reglages');
      const unpaid = desk.locator('#unpaid');
      await unpaid.getByLabel('PDF marqués « POUR CONSULTATION UNIQUEMENT » sur chaque page').check();
      await Promise.all([
        desk.waitForURL('**impayes=1**'),
        unpaid.getByRole('button', { name: 'Enregistrer' }).click(),
      ]);
      expect(await desk.locator('.flash.info').textContent()).toContain(
        'Le réglage des dossiers impayés est enregistré.',
      );
      expect(await unpaid.getByLabel('PDF marqués « POUR CONSULTATION UNIQUEMENT » sur chaque page').isChecked()).toBe(
        true,
      );
      await unpaid.scrollIntoViewIfNeeded();
      await screenshot(desk, 'desk-74-settings-unpaid');

      // Staff fill in the case detail at a desk.
      await desk.goto(`/back-office/dossiers/${kase.id}`);
      await desk.getByLabel('Résumé du dossier').fill('Repérage amiante avant vente, maison individuelle, 4 pièces.');
      await desk
        .getByLabel('Conclusions')
        .fill('Amiante : présence en toiture (fibres-ciment)\nPlomb : néant\nDPE : classe D');
      await Promise.all([
        desk.waitForURL('**ok=record**'),
        desk.getByRole('button', { name: 'Enregistrer le résumé et les conclusions' }).click(),
      ]);
      await desk.getByText('€ Modifier le montant').click();
      await desk.getByLabel('Montant (€)').fill('1 234,5');
      await Promise.all([
        desk.waitForURL('**ok=amount**'),
        desk.getByRole('button', { name: 'Enregistrer le montant' }).click(),
      ]);
      expect(await desk.locator('#payment .amount').textContent()).toBe('1\u202f234,50\u00a0€');
      await Promise.all([desk.waitForURL('**ok=unpaid**'), desk.getByRole('button', { name: /Dossier payé/ }).click()]);
      await desk.getByLabel('Fichiers à ajouter').setInputFiles([
        { name: 'Rapport amiante.pdf', mimeType: 'application/pdf', buffer: report },
        { name: 'plan.png', mimeType: 'image/png', buffer: PNG_1PX },
      ]);
      await Promise.all([
        desk.waitForURL('**ok=files**'),
        desk.getByRole('button', { name: 'Ajouter des fichiers' }).click(),
      ]);
      expect(await desk.getByRole('status').or(desk.locator('.flash.info')).first().textContent()).toContain(
        '2 fichiers sont ajoutés au dossier.',
      );
      expect(await desk.locator('.download-state .badge').textContent()).toBe('Non téléchargé');
      expect(await desk.getByRole('button', { name: /Dossier impayé/ }).isVisible()).toBe(true);

      // The client, on a phone, sees why and downloads the stamped PDF.
      const phone = await newPage(true);
      await signIn(phone, { email: client.account.email, password: client.password }, 'client');
      await phone.goto(`/dossiers/${kase.id}`);
      expect(await phone.locator('.payment-line').textContent()).toContain(
        'Dossier en attente de paiement (1\u202f234,50\u00a0€)',
      );
      expect(await phone.getByText('« POUR CONSULTATION UNIQUEMENT » sur chaque page').isVisible()).toBe(true);
      expect(await phone.locator('.case-file.blocked').textContent()).toContain('Disponible après paiement');
      await phone.locator('#case-files').scrollIntoViewIfNeeded();
      await screenshot(phone, 'phone-72-case-unpaid-client');
      const stamped = await download(phone, 'Rapport amiante.pdf');
      expect(sha256(stamped)).not.toBe(sha256(report));
      const pages = await renderPages(stamped);
      expect(pages).toHaveLength(4);
      for (const [i, page] of pages.entries()) expect(stampPixels(page), `page ${i + 1}`).toBeGreaterThan(300);
      // Pictures of the first two stamped pages, to look at.
      await writeFile(path.join(SCREENSHOTS, 'unpaid-stamped.pdf'), stamped);
      await run('pdftoppm', [
        '-png',
        '-r',
        '40',
        '-l',
        '2',
        path.join(SCREENSHOTS, 'unpaid-stamped.pdf'),
        path.join(SCREENSHOTS, 'pdf-73-unpaid-stamped-page'),
      ]);

      // Staff see the download, its history, and the case partially downloaded.
      await desk.reload();
      expect(await desk.locator('.download-state .badge').textContent()).toBe('Partiellement téléchargé');
      expect(await desk.getByText('Téléchargé 1 fois par le client').isVisible()).toBe(true);
      await desk.getByText('Historique d’accès (1)').click();
      expect(await desk.locator('table.history').first().textContent()).toContain('Marqué « consultation »');
      await screenshot(desk, 'desk-70-case-record');
      const staffPhone = await newPage(true);
      await signIn(staffPhone, staff, 'staff');
      await staffPhone.goto(`/back-office/dossiers/${kase.id}`);
      await screenshot(staffPhone, 'phone-71-case-record');

      // Marked paid, by keyboard: the next download is the original, byte for byte.
      await desk.getByRole('button', { name: /Dossier impayé/ }).focus();
      await Promise.all([desk.waitForURL('**ok=paid**'), desk.keyboard.press('Enter')]);
      expect(await desk.getByRole('button', { name: /Dossier payé/ }).isVisible()).toBe(true);
      await phone.reload();
      expect(await phone.locator('.payment-line').textContent()).toContain('Dossier réglé');
      const original = await download(phone, 'Rapport amiante.pdf');
      expect(sha256(original)).toBe(sha256(report));
      expect((await renderPages(original)).map(stampPixels)).toEqual([0, 0, 0, 0]);
      const png = await download(phone, 'plan.png');
      expect(png.equals(PNG_1PX)).toBe(true);
      await desk.reload();
      expect(await desk.locator('.download-state .badge').textContent()).toBe('Téléchargé');
    });
  });

  it('in block mode, a click on the client’s own deposit shows why it is refused, not a failed download', async () => {
    const db = system.database.db;
    const kase = await makeCase(db, { space, client: client.account, template, number: `LICIEL-B-${Date.now()}` });
    await db.updateTable('cases').set({ payment_state: 'unpaid' }).where('id', '=', kase.id).execute();
    const category = await db
      .selectFrom('document_categories')
      .select('id')
      .where('template_id', '=', template.id)
      .orderBy('position')
      .executeTakeFirstOrThrow();
    await insertDocuments(db, [
      {
        caseId: kase.id,
        categoryId: category.id,
        fileName: 'cni.pdf',
        contentType: 'application/pdf',
        sizeBytes: 10,
        sha256: 'x'.repeat(64),
        storageKey: `test/${kase.id}/cni.pdf`,
        pageCount: 1,
        source: 'upload',
        depositedBy: client.account.id,
      },
    ]);
    await withUnpaidMode(db, 'block', async () => {
      const phone = await newPage(true);
      await signIn(phone, { email: client.account.email, password: client.password }, 'client');
      await phone.goto(`/dossiers/${kase.id}`);
      await Promise.all([
        phone.waitForURL(`**/dossiers/${kase.id}/documents/**`),
        phone.getByRole('link', { name: 'Télécharger « cni.pdf »' }).click(),
      ]);
      expect(await phone.locator('main').textContent()).toContain(
        'Ce dossier est en attente de paiement : ses documents ne peuvent pas être téléchargés pour le moment.',
      );
      await screenshot(phone, 'phone-75-unpaid-blocked-deposit');
    });
  });
});
