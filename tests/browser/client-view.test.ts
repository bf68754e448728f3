// The confidential view of a client's space in Chromium: an administrator names a head of service
// on the team page; the head of service, by keyboard, gives a reason on the client record and
// sees the client's pages under a banner, without any form; ends the view from the banner
// (laptop), and on a phone the banner and the pages fit the screen. Screenshots in
// artifacts/screenshots/.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createConversation, insertMessage } from '../../db/conversations.js';
import { cloneTemplate, makeCase } from '../helpers/documents.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { browserTestSystem, deviceOptions, screenshot, signIn } from '../helpers/browser.js';
import { axeContextOptions, expectNoAxeViolations } from '../helpers/axe.js';

const running = browserTestSystem();

describe('confidential view of a client space in a browser', () => {
  it('is granted on the team page, opened by keyboard with a reason, read-only under its banner, and ended (laptop, phone)', async () => {
    const { system, browser } = running;
    const db = system.database.db;
    const space = await createSpace(db, 'Gestion locative');
    const { account: client } = await createClient(db, { space, name: 'Claire Martin' });
    const conversationId = randomUUID();
    await createConversation(db, {
      id: conversationId,
      spaceId: space.id,
      clientAccountId: client.id,
      subject: 'Fuite sous l’évier',
      cc: '',
    });
    await insertMessage(db, {
      id: randomUUID(),
      conversationId,
      authorKind: 'client',
      authorAccountId: client.id,
      authorDisplayName: client.full_name,
      body: 'Une fuite sous l’évier depuis hier soir.',
    });
    await insertMessage(db, {
      id: randomUUID(),
      conversationId,
      authorKind: 'staff',
      authorAccountId: null,
      authorDisplayName: 'Julien',
      body: 'Un plombier passe jeudi à 9 h.',
    });
    const kase = await makeCase(db, {
      space,
      client,
      template: await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 }),
    });
    const admin = await createStaff(db, { name: 'Admin Redmine', admin: true });
    // Staff names are unique in the shared test database only with a suffix.
    const headName = `Hélène Responsable ${randomUUID().slice(0, 4)}`;
    const head = await createStaff(db, { name: headName, spaces: [space] });
    // A long name with a Redmine login must wrap inside the table, not widen the page.
    const longOne = await createStaff(db, {
      name: 'Marie-Amélie de La Tour-Vauquelin-Desrosiers ' + randomUUID().slice(0, 4),
      spaces: [space],
    });
    await db
      .updateTable('accounts')
      .set({ redmine_login: 'marie-amelie.delatour-vauquelin-desrosiers.gestion-locative' })
      .where('id', '=', longOne.account.id)
      .execute();

    // The administrator names Hélène head of service.
    const adminContext = await browser.newContext(deviceOptions(false, system.url));
    const adminPage = await adminContext.newPage();
    await signIn(adminPage, { email: admin.account.email, password: admin.password }, 'staff');
    await Promise.all([
      adminPage.waitForURL('**/back-office/equipe'),
      adminPage.getByRole('link', { name: 'Équipe' }).click(),
    ]);
    await adminPage.getByLabel(`Rôle de ${headName}`).selectOption('manager');
    const row = adminPage.locator('tr', { hasText: headName });
    await row.getByRole('button', { name: 'Enregistrer', exact: true }).focus();
    await Promise.all([adminPage.waitForURL('**/back-office/equipe?fait=1'), adminPage.keyboard.press('Enter')]);
    expect(await adminPage.getByLabel(`Rôle de ${headName}`).inputValue()).toBe('manager');
    await screenshot(adminPage, 'desk-80-team');
    await adminContext.close();

    // Hélène opens the view by keyboard, with a reason.
    const desk = await browser.newContext(deviceOptions(false, system.url, axeContextOptions));
    const page = await desk.newPage();
    await signIn(page, { email: head.account.email, password: head.password }, 'staff');
    await page.goto(`/back-office/clients/${client.id}`);
    await page
      .getByLabel('Motif de la consultation')
      .fill('La cliente appelle : elle ne voit pas la réponse du plombier.');
    await page.keyboard.press('Tab');
    await Promise.all([page.waitForURL('**/conversations'), page.keyboard.press('Enter')]);
    const banner = page.getByRole('note');
    expect(await banner.innerText()).toContain('Vue confidentielle de l’espace de Claire Martin, en lecture seule');
    expect(await page.getByText('Fuite sous l’évier').isVisible()).toBe(true);
    await expectNoAxeViolations(page, 'client view: conversation list');
    await page.getByRole('link', { name: /Fuite sous l’évier/ }).click();
    expect(await page.getByText('Un plombier passe jeudi à 9 h.').isVisible()).toBe(true);
    await expectNoAxeViolations(page, 'client view: conversation');
    // No form to send anything in the client's name; the only one is the banner's.
    expect(await page.locator('main form:visible').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Se déconnecter' }).count()).toBe(0);
    await screenshot(page, 'desk-81-client-view-thread');

    // The same view on a phone (the view cookie goes with the staff session).
    const phone = await browser.newContext(deviceOptions(true, system.url, axeContextOptions));
    await phone.addCookies(await desk.cookies());
    const phonePage = await phone.newPage();
    await phonePage.goto(`/conversations/${conversationId}`);
    expect(await phonePage.getByRole('note').isVisible()).toBe(true);
    await screenshot(phonePage, 'phone-82-client-view-thread');
    // The case as the client sees it: categories and pieces, nothing to deposit or split.
    await phonePage.goto(`/dossiers/${kase.id}`);
    expect(await phonePage.getByRole('heading', { level: 1 }).innerText()).toContain(kase.title);
    expect(await phonePage.locator('#split').count()).toBe(0);
    expect(await phonePage.locator('main form:visible').count()).toBe(0);
    await expectNoAxeViolations(phonePage, 'client view: case (phone)');
    await screenshot(phonePage, 'phone-84-client-view-case');
    await phone.close();

    // Ended from the banner: back on the client record, which lists the view.
    await banner.getByRole('button', { name: 'Terminer la vue' }).focus();
    await Promise.all([
      page.waitForURL(`**/back-office/clients/${client.id}?fait=vue-fin`),
      page.keyboard.press('Enter'),
    ]);
    expect(await page.getByRole('status').innerText()).toContain('La vue de l’espace client est terminée.');
    expect(await page.locator('#client-view table').innerText()).toContain(headName);
    await screenshot(page, 'desk-83-client-view-log');
    await desk.close();
  });
});
