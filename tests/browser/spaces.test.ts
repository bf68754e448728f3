// The spaces page in Chromium: an administrator reaches it from the menu, switches a space to
// business hours and sets its times by keyboard, a bad time is refused with the typed values
// kept, then saved (laptop); the same form on a phone fits the screen. Screenshots in
// artifacts/screenshots/.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSpace, createStaff } from '../helpers/fixtures.js';
import { browserTestSystem, deviceOptions, screenshot, signIn } from '../helpers/browser.js';

const running = browserTestSystem();

describe('spaces page in a browser', () => {
  it('sets a space’s answer times by keyboard, refusing a bad time first (laptop, phone)', async () => {
    const { system, browser } = running;
    const db = system.database.db;
    // Test files share the database: a name of our own.
    const space = await createSpace(db, `Gestion locative ${randomBytes(3).toString('hex')}`);
    const admin = await createStaff(db, { name: 'Admin Redmine', admin: true });
    const desk = await browser.newContext(deviceOptions(false, system.url));
    const page = await desk.newPage();
    await signIn(page, { email: admin.account.email, password: admin.password }, 'staff');
    await Promise.all([
      page.waitForURL('**/back-office/espaces'),
      page.getByRole('link', { name: 'Espaces', exact: true }).click(),
    ]);
    await page.getByRole('link', { name: `Modifier ${space.name}` }).click();
    await page.getByLabel('Délai visé (heures)').fill('8');
    await page.getByLabel('Délai maximal (heures)').fill('16');
    await page.getByLabel(/Heures ouvrées/).check();
    await page.getByLabel('Ouverture').fill('08:30');
    await page.getByLabel('Fermeture').fill('17h30');
    await page.getByLabel('E-mail du responsable').fill('direction@agence.test');
    await page.getByLabel('E-mail du responsable').press('Enter');
    await page.waitForLoadState('load');
    expect(await page.getByRole('alert').innerText()).toContain('Fermeture : une heure au format HH:MM');
    expect(await page.getByLabel('Délai visé (heures)').inputValue()).toBe('8');
    await screenshot(page, 'desk-85-space-refused');
    await page.getByLabel('Fermeture').fill('17:30');
    await Promise.all([page.waitForURL('**fait=1'), page.getByLabel('Fermeture').press('Enter')]);
    expect(await page.getByRole('status').innerText()).toContain('L’espace est enregistré.');
    const row = await db.selectFrom('spaces').selectAll().where('id', '=', space.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      sla_target_hours: 8,
      sla_max_hours: 16,
      sla_calendar: 'business',
      sla_opens: '08:30',
      sla_closes: '17:30',
      manager_email: 'direction@agence.test',
    });
    await desk.close();

    const phone = await browser.newContext(deviceOptions(true, system.url));
    const phonePage = await phone.newPage();
    await signIn(phonePage, { email: admin.account.email, password: admin.password }, 'staff');
    await phonePage.goto(`/back-office/espaces/${space.id}`);
    expect(await phonePage.getByLabel(/Heures ouvrées/).isChecked()).toBe(true);
    await screenshot(phonePage, 'phone-86-space');
    await phonePage.goto('/back-office/espaces');
    await screenshot(phonePage, 'phone-87-spaces');
    await phone.close();
  });
});
