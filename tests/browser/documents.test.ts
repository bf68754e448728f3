// Document collection in a real browser (Chromium through playwright-core): a deposit by
// drag-and-drop and one by keyboard only, a 3-page PDF split into two categories from its
// thumbnails (pdf.js served by Guichet), staff validating and refusing, the client seeing a
// category turn green and the reason of a refusal; then the page on a phone. Screenshots go to
// artifacts/screenshots/.
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Case, DocumentTemplate } from '../../db/database.js';
import { caseDocuments } from '../../db/documents.js';
import type { RunningSystem } from '../../runtime/system.js';
import { categoryId, cloneTemplate, makeCase, makePdf } from '../helpers/documents.js';
import { createClient, createStaff } from '../helpers/fixtures.js';
import { startTestSystem } from '../helpers/system.js';
import { SCREENSHOTS, deviceOptions, launchChromium, screenshot, signIn } from '../helpers/browser.js';
import { axeContextOptions, expectNoAxeViolations } from '../helpers/axe.js';

let system: RunningSystem & { url: string };
let browser: Browser;
const contexts: BrowserContext[] = [];
let template: DocumentTemplate;
let kase: Case;
let client: { email: string; password: string };
let staff: { email: string; password: string };

beforeAll(async () => {
  system = await startTestSystem();
  const db = system.database.db;
  const space = await db
    .insertInto('spaces')
    .values({ slug: `credit-${Date.now()}`, name: 'Crédit auto', team_email: 'agence@example.test' })
    .returningAll()
    .executeTakeFirstOrThrow();
  template = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
  const created = await createClient(db, { space, name: 'Claire Martin' });
  client = { email: created.account.email, password: created.password };
  kase = await makeCase(db, {
    space,
    client: created.account,
    template,
    number: 'TELEFI-2026-004217',
    facts: { financing: 'lease', downPayment: 18000 },
  });
  const agent = await createStaff(db, { name: 'Julien Bernard', spaces: [space] });
  staff = { email: agent.account.email, password: agent.password };
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await system?.stop();
});

async function newPage(options: { phone?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext(
    deviceOptions(options.phone === true, system.url, { acceptDownloads: true, ...axeContextOptions }),
  );
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  return page;
}

describe('document collection in a browser', () => {
  it('deposits by drag-and-drop and by keyboard, splits a PDF, shows staff decisions', async () => {
    const db = system.database.db;
    const rib = await categoryId(db, template.id, 'rib');
    const identity = await categoryId(db, template.id, 'identite');
    const home = await categoryId(db, template.id, 'domicile');
    const income = await categoryId(db, template.id, 'emploi-revenus');
    const page = await newPage();
    await signIn(page, client, 'client');

    // Found by its number, as seed 000 says.
    await page.goto('/dossiers');
    await page.getByLabel('N° de dossier (TELEFI, EKIP…) ou nom du client').fill('telefi-2026-004217');
    await Promise.all([
      page.waitForURL(`**/dossiers/${kase.id}`),
      page.getByRole('button', { name: 'Rechercher' }).click(),
    ]);
    // The page's module script marks the collection once it has run (it may run after load).
    await expect.poll(() => page.locator('#collection.js').count()).toBe(1);
    await expectNoAxeViolations(page, 'case page');
    await screenshot(page, 'docs-10-case-page');

    // 1. Drag-and-drop of a file onto the RIB category.
    const ribPdf = await makePdf(1, 'RIB');
    const transfer = await page.evaluateHandle(`(() => {
      const bytes = Uint8Array.from(atob('${ribPdf.toString('base64')}'), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'rib banque.pdf', { type: 'application/pdf' }));
      return dt;
    })()`);
    await page.dispatchEvent('#cat-rib', 'dragover', { dataTransfer: transfer });
    expect(await page.locator('#cat-rib.dragover').count()).toBe(1);
    await screenshot(page, 'docs-11-drag-over-rib');
    await page.dispatchEvent('#cat-rib', 'drop', { dataTransfer: transfer });
    await page.locator('#cat-rib .doc', { hasText: 'rib banque.pdf' }).waitFor();
    expect(await page.locator('#cat-rib .badge.state-in_review').innerText()).toBe('En cours d’examen');

    // 2. Keyboard only: Tab to the Identité picker, Space opens it, the file is sent at once.
    await page.locator('#cat-identite summary').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe(`f-${identity}`);
    // Space on the focused picker opens the file chooser. In one full run (two suites in parallel)
    // no chooser came on the first press, which was never reproduced alone; a second press on the
    // same focused picker is still the keyboard way, and a picker that never opens fails the test.
    const openChooser = async (timeout: number) =>
      (await Promise.all([page.waitForEvent('filechooser', { timeout }), page.keyboard.press('Space')]))[0];
    const chooser = await openChooser(8_000).catch(async () => {
      expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe(`f-${identity}`);
      return openChooser(15_000);
    });
    await chooser.setFiles({
      name: 'carte identité.pdf',
      mimeType: 'application/pdf',
      buffer: await makePdf(2, 'CNI'),
    });
    await page.locator('#cat-identite .doc', { hasText: 'carte identité.pdf' }).waitFor();
    // Focus is back on the picker, ready for the next file.
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe(`f-${identity}`);
    await expectNoAxeViolations(page, 'case page after deposits');
    await screenshot(page, 'docs-12-after-deposits');
    // A refused file is named with seed 000's message, in its category.
    await page
      .locator(`#f-${rib}`)
      .setInputFiles({ name: 'virus.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ this is not a pdf') });
    await page.locator('#cat-rib [role="alert"]').waitFor();
    expect(await page.locator('#cat-rib [role="alert"]').innerText()).toContain(
      'Attention ! La taille ou le format des fichiers suivants n’est pas accepté : « virus.pdf »',
    );
    await expectNoAxeViolations(page, 'case page, file refused');
    await screenshot(page, 'docs-13-refused-file');

    // 3. The splitting zone: a 3-page PDF becomes three thumbnails rendered by pdf.js.
    await page
      .locator('#split-file')
      .setInputFiles({ name: 'liasse.pdf', mimeType: 'application/pdf', buffer: await makePdf(3, 'Liasse') });
    await page.locator('.thumbs[data-ready="true"]').waitFor();
    expect(await page.locator('button.thumb').count()).toBe(3);
    const rendered = await page.evaluate<boolean[]>(
      `[...document.querySelectorAll('button.thumb img')].map((i) => i.src.startsWith('data:image/png') && i.naturalWidth > 0)`,
    );
    expect(rendered).toEqual([true, true, true]);
    // Pages 1 and 2 by keyboard: select, choose the category, send.
    await page.locator('button.thumb[data-page="1"]').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    expect(await page.locator('button.thumb[aria-pressed="true"]').count()).toBe(2);
    await screenshot(page, 'docs-14-split-selected');
    await page.getByLabel('Envoyer les pages sélectionnées vers').selectOption(home);
    await page.getByRole('button', { name: 'Envoyer les pages', exact: true }).click();
    // Page 3 by dragging its thumbnail onto "Emploi et revenus" (the splitting zone stays in view
    // beside the categories while the page scrolls).
    await page.locator('#cat-emploi-revenus').scrollIntoViewIfNeeded();
    expect(await page.locator('button.thumb[data-page="3"]').isVisible()).toBe(true);
    await page.locator('button.thumb[data-page="3"]').dragTo(page.locator('#cat-emploi-revenus'));
    expect(await page.locator(`#pages-${home}`).inputValue()).toBe('1-2');
    expect(await page.locator(`#pages-${income}`).inputValue()).toBe('3');
    expect(await page.locator('button.thumb[data-page="3"] .assigned').innerText()).toBe('→ Emploi et revenus');
    await expectNoAxeViolations(page, 'case page, pages being split');
    await screenshot(page, 'docs-15-split-assigned');
    await Promise.all([page.waitForURL(/ok=split/), page.getByRole('button', { name: 'Découper et déposer' }).click()]);
    expect(await page.getByRole('status').first().innerText()).toContain('Le PDF a été découpé : 2 documents déposés.');
    const docs = await caseDocuments(db, kase.id);
    expect(
      docs
        .filter((d) => d.source === 'split')
        .map((d) => [d.category_id, d.page_count])
        .sort(),
    ).toEqual(
      [
        [home, 2],
        [income, 1],
      ].sort(),
    );
    await screenshot(page, 'docs-16-after-split');

    // The agency is told of every deposit, each once. With this template's grouping delay of 0,
    // deposits made while the previous e-mail is being prepared share it, others get their own,
    // depending on the machine's load; the grouping itself is tested on the time-skipping server
    // (tests/workflows/document-collection.test.ts).
    const agencyMails = () =>
      db
        .selectFrom('notifications')
        .selectAll()
        .where('recipient', '=', 'agence@example.test')
        .where('subject', 'like', 'Dossier TELEFI-2026-004217%')
        .execute();
    const told = (rows: Array<{ body_text: string }>) => rows.map((r) => r.body_text).join('\n');
    const digests = await waitFor(
      agencyMails,
      (rows) => told(rows).includes('rib banque.pdf') && told(rows).includes('carte identité.pdf'),
    );
    for (const name of ['rib banque.pdf', 'carte identité.pdf'])
      expect(told(digests).split(name).length - 1, name).toBe(1);

    // 4. Staff validate the RIB and refuse the identity card with a reason.
    const back = await newPage();
    await signIn(back, staff, 'staff');
    await back.goto('/back-office/dossiers?q=TELEFI-2026-004217');
    await back.waitForURL(`**/back-office/dossiers/${kase.id}`);
    const ribDoc = docs.find((d) => d.category_id === rib)!;
    const idDoc = docs.find((d) => d.category_id === identity)!;
    await screenshot(back, 'docs-20-staff-review');
    await Promise.all([back.waitForURL(/ok=reviewed/), back.locator(`#doc-${ribDoc.id} form.validate button`).click()]);
    await back
      .locator(`#doc-${idDoc.id}`)
      .getByLabel('Motif du refus')
      .selectOption({ label: 'Le verso de la pièce manque' });
    await back.locator(`#doc-${idDoc.id}`).getByLabel('Commentaire (facultatif)').fill('Merci de joindre le verso');
    await Promise.all([back.waitForURL(/ok=reviewed/), back.locator(`#doc-${idDoc.id} form.reject button`).click()]);
    expect(await back.locator('#cat-rib .badge.state-complete').count()).toBe(1);
    await screenshot(back, 'docs-21-staff-after-review');

    // 5. The client sees RIB green and the refusal's reason.
    await page.goto(`/dossiers/${kase.id}`);
    expect(await page.locator('#cat-rib.state-complete').count()).toBe(1);
    expect(await page.locator('#cat-rib').innerText()).toContain(
      'Cette catégorie est validée : vous n’avez plus besoin d’y déposer de document.',
    );
    expect(await page.locator('#cat-rib form.deposit').count()).toBe(0);
    const green = await page.evaluate<string>(`getComputedStyle(document.getElementById('cat-rib')).backgroundColor`);
    expect(green).toBe('rgb(238, 248, 240)');
    expect(await page.locator('#cat-identite .refusal').innerText()).toBe(
      'Refusé : Le verso de la pièce manque — Merci de joindre le verso',
    );
    await page.locator('#cat-rib').scrollIntoViewIfNeeded();
    await expectNoAxeViolations(page, 'case page, validated and refused pieces');
    await screenshot(page, 'docs-22-client-green-and-refusal');
  });

  it('works on a phone: camera capture, pickers, no horizontal scroll', async () => {
    const page = await newPage({ phone: true });
    await signIn(page, client, 'client');
    await page.goto(`/dossiers/${kase.id}`);
    const camera = page.locator('#cat-domicile input.camera');
    expect(await camera.getAttribute('capture')).toBe('environment');
    expect(await camera.getAttribute('accept')).toBe('image/*');
    expect(await page.locator('#cat-domicile label.picker.camera').isVisible()).toBe(true);
    await expectNoAxeViolations(page, 'case page (phone)');
    await screenshot(page, 'docs-30-phone-case-page');
    await page.locator('#cat-apport details summary').click();
    expect(await page.locator('#cat-apport details').innerText()).toContain('Justificatif de l’apport demandé');
    await page.locator('#cat-apport').screenshot({ path: path.join(SCREENSHOTS, 'docs-31-phone-which-documents.png') });
  });
});

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
