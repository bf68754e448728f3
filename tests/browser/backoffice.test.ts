// The back-office pages in a real browser (Chromium through playwright-core): the template
// editor with its preview, the settings (logo and colour applied to every page), and a client
// record with contacts in every state, on a desk screen and on a phone. Screenshots go to
// artifacts/screenshots/. Settings are global to the run's database: put back at the end.
import { randomUUID } from 'node:crypto';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { addClientFile, addContact, recordContactAction, setContactState, setObservation } from '../../db/clients.js';
import { getSettings, saveSettings } from '../../db/settings.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { makePng } from '../helpers/png.js';
import { startTestSystem } from '../helpers/system.js';
import { createConversation, insertMessage } from '../../db/conversations.js';
import { deviceOptions, launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { inspectFile } from '../helpers/stored.js';

let system: RunningSystem & { url: string };
let browser: Browser;
const contexts: BrowserContext[] = [];
let staff: { email: string; password: string };

beforeAll(async () => {
  system = await startTestSystem();
  browser = await launchChromium();
  const { account, password } = await createStaff(system.database.db, { name: 'Julien Bernard', admin: true });
  staff = { email: account.email, password };
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  if (system) {
    const db = system.database.db;
    const current = await getSettings(db);
    if (current.logo) await system.app!.deps.storage.delete(current.logo.key);
    await saveSettings(db, { primaryColor: '#0b5cab', rowsPerPage: 25, locales: ['fr', 'en'], logo: null });
    await db.deleteFrom('email_templates').where('key', '=', 'case-available').execute();
  }
  await system?.stop();
});

async function staffPage(phone = false): Promise<Page> {
  const context = await browser.newContext(deviceOptions(phone, system.url));
  contexts.push(context);
  const page = await context.newPage();
  await signIn(page, staff, 'staff');
  return page;
}

describe('back-office in a browser', () => {
  it('edits a template with a preview, and refuses an unknown tag', async () => {
    const page = await staffPage();
    await page.getByRole('link', { name: 'Modèles d’e-mails' }).click();
    await page.waitForURL('**/back-office/modeles');
    await screenshot(page, 'desk-40-templates-list');
    await page.getByRole('link', { name: 'Dossier disponible — Français' }).click();
    await page
      .getByLabel('Texte')
      .fill('Bonjour {{clientFullName}},\n\nVotre dossier {{caseNumber}} est prêt : {{caseUrl}}\n\n<b>L’agence</b>');
    await page.getByRole('button', { name: 'Aperçu' }).click();
    await page.waitForLoadState('load');
    const preview = page.locator('.preview-body');
    expect(await preview.innerText()).toContain('Bonjour Claire Martin,');
    expect(await preview.innerText()).toContain('Votre dossier D-2026-0042 est prêt');
    // Shown as typed, never interpreted.
    expect(await preview.innerText()).toContain('<b>L’agence</b>');
    await screenshot(page, 'desk-41-template-editor-preview');

    await page.getByLabel('Texte').fill('Votre dossier {{numeroDossier}} est prêt.');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('alert').innerText()).toContain('Balise inconnue : {{numeroDossier}}');
    await screenshot(page, 'desk-42-template-unknown-tag');

    const phone = await staffPage(true);
    await phone.goto('/back-office/modeles/conversation-acknowledgement/fr');
    await screenshot(phone, 'phone-43-template-editor');
  });

  it('applies the logo and the primary colour to the pages', async () => {
    const page = await staffPage();
    await page.goto('/back-office/reglages');
    await page.getByLabel('Couleur principale').fill('#7a1f5c');
    await page
      .getByLabel('Logo', { exact: true })
      .setInputFiles([
        { name: 'logo.png', mimeType: 'image/png', buffer: makePng(160, 48, [122, 31, 92], [255, 200, 0]) },
      ]);
    await page.getByRole('button', { name: 'Enregistrer les réglages' }).click();
    await page.waitForURL('**/back-office/reglages?enregistre=1');
    expect(await page.getByRole('status').innerText()).toContain('Les réglages sont enregistrés.');
    const brand = await page.evaluate<string>(
      "getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()",
    );
    expect(brand).toBe('#7a1f5c');
    expect(await page.evaluate<number>("document.querySelector('header img.logo').naturalWidth")).toBe(160);
    await screenshot(page, 'desk-44-settings');

    // The client space follows: logo in the header, the primary colour on the header and buttons.
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      locale: 'fr-FR',
      baseURL: system.url,
    });
    contexts.push(context);
    const client = await context.newPage();
    await client.goto('/connexion');
    const header = await client.evaluate<string>(
      "getComputedStyle(document.querySelector('header.top')).backgroundColor",
    );
    expect(header).toBe('rgb(122, 31, 92)');
    await screenshot(client, 'phone-45-client-login-branded');
  });

  it('shows a client record with contacts in every state, invalid ones in red when asked', async () => {
    const db = system.database.db;
    const { account: client } = await createClient(db, { name: 'Claire Martin' });
    const ids: Record<string, string> = {};
    const add = async (
      name: string,
      kind: 'postal' | 'email' | 'phone',
      value: string,
      state: 'pending' | 'validated' | 'default' | 'invalid',
    ) => {
      ids[name] = await addContact(db, client.id, kind, value);
      if (state !== 'pending') await setContactState(db, client.id, ids[name], state);
    };
    await add('home', 'postal', '12 rue des Lilas\n75011 Paris', 'default');
    await add('old', 'postal', '3 impasse du Moulin\n69002 Lyon', 'invalid');
    await add('work', 'postal', 'Société Durand, 8 avenue Foch\n33000 Bordeaux', 'pending');
    await add('mail', 'email', 'claire.martin@example.test', 'default');
    await add('mail2', 'email', 'c.martin@travail.example', 'validated');
    await add('mailOld', 'email', 'claire@ancien-fai.example', 'invalid');
    await add('mobile', 'phone', '06 12 34 56 78', 'default');
    await add('fixed', 'phone', '01 98 76 54 32', 'pending');
    await setObservation(db, client.id, 'Préfère être appelée le matin. Dossier de surendettement en cours.');
    await recordContactAction(db, {
      clientId: client.id,
      contactId: ids.home!,
      kind: 'letter',
      staffId: (await db.selectFrom('accounts').select('id').where('email', '=', staff.email).executeTakeFirstOrThrow())
        .id,
      body: 'Mise en demeure',
    });
    const inspected = await inspectFile('avis.png', makePng(20, 20, [0, 0, 0]));
    if ('reason' in inspected) throw new Error(`refused: ${inspected.reason}`);
    const stored = await system.app!.deps.storage.put(inspected);
    await addClientFile(db, {
      clientId: client.id,
      fileName: 'Avis d’imposition 2025.png',
      contentType: 'image/png',
      sizeBytes: stored.sizeBytes,
      sha256: stored.sha256,
      storageKey: stored.key,
      uploadedBy: client.id,
    });

    const page = await staffPage();
    await page.goto(`/back-office/clients?q=${encodeURIComponent(client.email)}`);
    expect(await page.locator(`a[href="/back-office/clients/${client.id}"]`).count()).toBe(1);
    await page.goto(`/back-office/clients/${client.id}`);
    expect(await page.getByText('3 impasse du Moulin').count()).toBe(0);
    await page.getByRole('link', { name: 'Afficher les coordonnées invalides (2)' }).click();
    await page.waitForURL('**?invalides=1');
    expect(
      await page.evaluate<string>(
        "getComputedStyle(document.querySelector('li.contact.invalid .contact-value')).color",
      ),
    ).toBe('rgb(179, 38, 30)');
    await screenshot(page, 'desk-46-client-record-all-states');

    // By keyboard: make the landline the default; the change asks for confirmation first.
    const select = page.getByLabel('Changer l’état — 01 98 76 54 32');
    await select.focus();
    await select.selectOption('default');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    // The confirmation is a new page: wait for it rather than for a load the old page already had.
    await page.getByRole('heading', { level: 1, name: 'Changer la coordonnée par défaut ?' }).waitFor();
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Changer la coordonnée par défaut ?');
    await screenshot(page, 'desk-47-client-confirm-default');
    await page.getByRole('button', { name: 'Confirmer le changement' }).focus();
    await Promise.all([page.waitForURL(/fait=etat/), page.keyboard.press('Enter')]);

    const phone = await staffPage(true);
    await phone.goto(`/back-office/clients/${client.id}?invalides=1`);
    await screenshot(phone, 'phone-48-client-record');
  });

  it('shows the reading state of client messages and changes it by keyboard', async () => {
    const db = system.database.db;
    const space = await createSpace(db, 'Gestion locative');
    const { account: client } = await createClient(db, { space, name: 'Claire Martin' });
    const id = randomUUID();
    await createConversation(db, {
      id,
      spaceId: space.id,
      clientAccountId: client.id,
      subject: 'Chauffage en panne',
      cc: '',
    });
    for (const body of [
      'Le chauffage ne marche plus depuis hier soir.',
      'Message envoyé deux fois par erreur.',
      'Le chauffagiste peut passer jeudi matin ?',
    ]) {
      await insertMessage(db, {
        id: randomUUID(),
        conversationId: id,
        authorKind: 'client',
        authorAccountId: client.id,
        authorDisplayName: 'Claire Martin',
        body,
      });
    }
    const page = await staffPage();
    await page.goto(`/back-office/conversations/${id}`);
    await page.getByRole('button', { name: 'Annuler le message' }).nth(1).focus();
    await page.keyboard.press('Enter');
    await page.locator('.badge.state-cancelled').waitFor();
    await page.getByRole('button', { name: 'Marquer comme lu' }).first().focus();
    await page.keyboard.press('Enter');
    await page.locator('.badge.state-read').waitFor();
    expect(await page.locator('.badge.state-read').count()).toBe(1);
    expect(await page.locator('.badge.state-cancelled').count()).toBe(1);
    expect(await page.locator('.badge.state-to_read').count()).toBe(1);
    await screenshot(page, 'desk-49-message-states');
  });
});
