// The back-office's Vilogi page in a real browser (Chromium), on a laptop and a phone: staff start
// a sync by keyboard, the run appears with its counts, the request without e-mail is listed for
// triage, errors unfold. Against the contract's simulator, without Redmine. Screenshots go to
// artifacts/screenshots/.
import { randomBytes } from 'node:crypto';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVilogiSimulator, type VilogiSimulator } from '../../connectors/vilogi/simulator.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createSpace, createStaff, uniqueEmail } from '../helpers/fixtures.js';
import { startTestSystem } from '../helpers/system.js';
import { launchChromium, screenshot } from '../helpers/browser.js';

let system: RunningSystem & { url: string };
let sim: VilogiSimulator;
let browser: Browser;

beforeAll(async () => {
  // Test files share one database: ids of our own.
  sim = await startVilogiSimulator({ idPrefix: `VB-${randomBytes(3).toString('hex')}-` });
  system = await startTestSystem({ VILOGI_URL: sim.url, VILOGI_SYNC_MINUTES: '1440' });
  await createSpace(system.database.db, 'Gestion locative');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  await sim?.close();
});

describe('Vilogi page in a browser', () => {
  it('starts a sync from the keyboard and shows the run, the triage list and the errors (laptop, phone)', async () => {
    const db = system.database.db;
    sim.add({
      subject: 'Fuite sous l’évier',
      author: { email: uniqueEmail('claire'), name: 'Claire Martin' },
      building: 'Les Tilleuls',
      lot: 'Lot 12',
      service: 'gestion',
      body: 'Une fuite.',
    });
    sim.add({
      subject: 'Interphone en panne',
      author: { email: null, name: 'Locataire inconnu' },
      building: 'Les Tilleuls',
      service: 'gestion',
      body: 'Bâtiment B.',
    });
    // A run that failed earlier, as the page must show one (written directly: making the
    // gateway fail long enough for a run to give up takes minutes).
    await db
      .insertInto('vilogi_runs')
      .values({
        id: 'vilogi-sync-earlier',
        trigger: 'schedule',
        started_at: new Date(Date.now() - 3600_000),
        finished_at: new Date(Date.now() - 3500_000),
        status: 'done',
        fetched: 3,
        created: 2,
        failed: 1,
        processed: 2,
        errors: JSON.stringify([
          {
            requestId: 'VR-000099',
            message: 'vilogi: GET /api/v1/extranet-requests/VR-000099 answered 503: simulated failure',
          },
        ]),
      })
      .execute();
    // Without Redmine the triage list belongs to the first space: every space, to be sure of it.
    const { account: staff, password } = await createStaff(db, { spaces: 'all' });

    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'fr-FR',
      baseURL: system.url,
    });
    const page = await context.newPage();
    await page.goto('/back-office/connexion');
    await page.getByLabel('Adresse e-mail').fill(staff.email);
    await page.getByLabel('Mot de passe').fill(password);
    await Promise.all([page.waitForURL('**/back-office'), page.getByRole('button', { name: 'Se connecter' }).click()]);
    await Promise.all([
      page.waitForURL('**/back-office/vilogi'),
      page.getByRole('link', { name: 'Synchronisation Vilogi' }).click(),
    ]);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Synchronisation Vilogi');

    // By keyboard: focus the button, Enter.
    await page.getByRole('button', { name: 'Synchroniser maintenant' }).focus();
    await Promise.all([page.waitForURL('**/back-office/vilogi?lance=1'), page.keyboard.press('Enter')]);
    expect(await page.getByRole('status').innerText()).toContain('Synchronisation lancée');
    // The run this click started, named in the audit log.
    const deadline = Date.now() + 60_000;
    let runId: string | undefined;
    for (;;) {
      const entry = await db
        .selectFrom('audit_log')
        .select('subject_id')
        .where('actor_account_id', '=', staff.id)
        .where('action', '=', 'vilogi.sync_now')
        .executeTakeFirst();
      runId = entry?.subject_id ?? undefined;
      const done = runId
        ? await db
            .selectFrom('vilogi_runs')
            .select('status')
            .where('id', '=', runId)
            .where('status', '=', 'done')
            .executeTakeFirst()
        : undefined;
      if (done) break;
      if (Date.now() > deadline) throw new Error('the manual run did not finish');
      await new Promise((r) => setTimeout(r, 300));
    }
    await page.goto('/back-office/vilogi');
    const row = page.locator(`table.vilogi-runs tbody tr[data-run="${runId}"]`);
    const latest = await row.innerText();
    expect(latest).toContain('manuelle');
    expect(latest).toContain('terminée');
    expect(await row.locator('td').nth(3).innerText()).toBe('2'); // fetched
    expect(await row.locator('td').nth(4).innerText()).toBe('1'); // created
    expect(await row.locator('td').nth(6).innerText()).toBe('1'); // to triage
    expect(await page.locator('table.vilogi-triage').innerText()).toContain('Interphone en panne');
    await page.locator('table.vilogi-runs tbody tr[data-run="vilogi-sync-earlier"] summary').click();
    expect(await page.getByText('VR-000099', { exact: true }).isVisible()).toBe(true);
    await screenshot(page, 'laptop-40-vilogi-runs');

    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'fr-FR',
      baseURL: system.url,
      storageState: await context.storageState(),
    });
    const phonePage = await phone.newPage();
    await phonePage.goto('/back-office/vilogi');
    expect(await phonePage.getByRole('button', { name: 'Synchroniser maintenant' }).isVisible()).toBe(true);
    await screenshot(phonePage, 'phone-40-vilogi-runs');
    await phone.close();
    await context.close();
  });
});
