// What a client sees of the retention of a closed case's documents, in Chromium on a phone and a
// laptop: the date they will be deleted, then that they were. Screenshots in
// artifacts/screenshots/.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { formatDate } from '../../i18n/index.js';
import { cloneTemplate, makeCase } from '../helpers/documents.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { browserTestSystem, deviceOptions, screenshot, signIn } from '../helpers/browser.js';

const running = browserTestSystem();

describe('retention in the client space', () => {
  it('tells the client when a closed case’s documents go, then that they went (phone, laptop)', async () => {
    const { system, browser } = running;
    const db = system.database.db;
    const space = await createSpace(db, `Diagnostics ${randomBytes(3).toString('hex')}`);
    await db.updateTable('spaces').set({ retention_months: 6 }).where('id', '=', space.id).execute();
    const { account: client, password } = await createClient(db, { space, name: 'Claire Martin' });
    const template = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
    const closing = await makeCase(db, { space, client, template });
    await db
      .updateTable('cases')
      .set({ status: 'closed', closed_at: sql<Date>`now() - interval '5 months 10 days'` })
      .where('id', '=', closing.id)
      .execute();
    const gone = await makeCase(db, { space, client, template });
    await db
      .updateTable('cases')
      .set({
        status: 'closed',
        closed_at: sql<Date>`now() - interval '8 months'`,
        purged_at: sql<Date>`now() - interval '1 day'`,
      })
      .where('id', '=', gone.id)
      .execute();

    const phone = await browser.newContext(deviceOptions(true, system.url));
    const page = await phone.newPage();
    await signIn(page, { email: client.email, password }, 'client');
    await page.goto(`/dossiers/${closing.id}`);
    const planned = page.locator('.retention');
    // Not told yet: the documents go a month after the warning at the earliest, as the e-mail will say.
    expect(await planned.innerText()).toContain(
      `Dossier clos : ses documents seront supprimés le ${formatDate(new Date(Date.now() + 30 * 86_400_000), 'fr')}, à la fin de leur durée de conservation.`,
    );
    await screenshot(page, 'phone-88-retention-planned');
    await page.goto(`/dossiers/${gone.id}`);
    expect(await page.locator('.retention').innerText()).toMatch(
      /^Les documents de ce dossier ont été supprimés le \d{1,2} \S+ \d{4}/,
    );
    await screenshot(page, 'phone-89-retention-done');
    await phone.close();

    const desk = await browser.newContext(deviceOptions(false, system.url));
    const deskPage = await desk.newPage();
    await signIn(deskPage, { email: client.email, password }, 'client');
    await deskPage.goto(`/dossiers/${closing.id}`);
    expect(await deskPage.locator('.retention').isVisible()).toBe(true);
    await screenshot(deskPage, 'desk-90-retention-planned', false);
    await desk.close();
  });
});
