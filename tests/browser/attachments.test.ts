// Attaching files in a real browser (Chromium through playwright-core), on a phone-sized screen:
// the picker with its rules, a refused file named in the message with what was typed kept, then
// files sent with the message and with a reply, and downloaded back. Screenshots go to
// artifacts/screenshots/.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { genuinePdf, jpegOfSize } from '../helpers/documents.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { startTestSystem } from '../helpers/system.js';
import { launchChromium, screenshot } from '../helpers/browser.js';
import { axeContextOptions, expectNoAxeViolations } from '../helpers/axe.js';

// Mandatory on this machine: without the networking flags Chromium floods the closed network.

let system: RunningSystem & { url: string };
let browser: Browser;
let context: BrowserContext | undefined;

beforeAll(async () => {
  system = await startTestSystem();
  browser = await launchChromium();
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await system?.stop();
});

describe('attachments in a browser', () => {
  it('refuses a disguised file by name, keeps the text, then sends files with a message and a reply (phone)', async () => {
    const db = system.database.db;
    const space = await createSpace(db, 'Crédit auto');
    const { account, password } = await createClient(db, { space, name: 'Claire Martin' });
    context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'fr-FR',
      baseURL: system.url,
      acceptDownloads: true,
      ...axeContextOptions,
    });
    const page = await context.newPage();
    await page.goto('/connexion');
    await page.getByLabel('Adresse e-mail').fill(account.email);
    await page.getByLabel('Mot de passe').fill(password);
    await Promise.all([
      page.waitForURL('**/conversations'),
      page.getByRole('button', { name: 'Se connecter' }).click(),
    ]);

    await page.goto('/conversations/nouvelle');
    const picker = page.getByLabel('Pièces jointes (facultatif)');
    expect(await picker.getAttribute('multiple')).not.toBeNull();
    expect(await page.getByText('10 Mo au plus par fichier, 5 fichiers au plus.').isVisible()).toBe(true);
    await page.getByLabel('Objet').fill('Pièces pour mon dossier');
    await page.getByLabel('Votre message').fill('Voici mes justificatifs.');
    const pdf = genuinePdf(20_000);
    await picker.setInputFiles([
      { name: 'bulletin de salaire.pdf', mimeType: 'application/pdf', buffer: pdf },
      {
        name: 'facture.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.concat([Buffer.from('MZ'), randomBytes(500)]),
      },
    ]);
    await expectNoAxeViolations(page, 'new conversation with files (phone)');
    await screenshot(page, 'phone-20-compose-with-files');
    await Promise.all([
      page.waitForLoadState('load'),
      page.getByRole('button', { name: 'Envoyer', exact: true }).click(),
    ]);
    expect(await page.getByRole('alert').innerText()).toContain(
      'Le fichier « facture.pdf » n’est pas accepté : son contenu n’est pas celui d’un fichier PDF.',
    );
    expect(await page.getByLabel('Objet').inputValue()).toBe('Pièces pour mon dossier');
    expect(await page.getByLabel('Votre message').inputValue()).toBe('Voici mes justificatifs.');
    await expectNoAxeViolations(page, 'new conversation, file refused (phone)');
    await screenshot(page, 'phone-21-compose-file-refused');

    // Chosen again, without the refused one.
    await page
      .getByLabel('Pièces jointes (facultatif)')
      .setInputFiles([{ name: 'bulletin de salaire.pdf', mimeType: 'application/pdf', buffer: pdf }]);
    await Promise.all([
      page.waitForURL(/\/conversations\/[0-9a-f-]{36}$/),
      page.getByRole('button', { name: 'Envoyer', exact: true }).click(),
    ]);
    const link = page.getByRole('link', { name: 'bulletin de salaire.pdf' });
    expect(await link.isVisible()).toBe(true);

    // A reply with a photo.
    const photo = jpegOfSize(8000);
    await page.getByLabel('Votre message').fill('Et la photo de la carte grise.');
    await page
      .getByLabel('Pièces jointes (facultatif)')
      .setInputFiles([{ name: 'carte grise.jpg', mimeType: 'image/jpeg', buffer: photo }]);
    await Promise.all([page.waitForURL(/#m-/), page.getByRole('button', { name: 'Envoyer la réponse' }).click()]);
    expect(await page.getByRole('link', { name: 'carte grise.jpg' }).isVisible()).toBe(true);
    await expectNoAxeViolations(page, 'conversation with files (phone)');
    await screenshot(page, 'phone-22-thread-with-files');

    // Downloaded back, byte for byte, as a file (never shown inline).
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('bulletin de salaire.pdf');
    expect((await readFile(await download.path())).equals(pdf)).toBe(true);
  });
});
