// Contributors in a real browser (Chromium through playwright-core) with the real SMTP server:
// staff add a guarantor on the case page; the guarantor opens the invitation link from the
// e-mail that arrived, on a phone, accepts, sees only the pieces asked of a guarantor and
// deposits one; the main client's page then shows it. Screenshots go to artifacts/screenshots/.
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, Case, DocumentTemplate } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { categoryId, cloneTemplate, makeCase, makePdf } from '../helpers/documents.js';
import { createClient, createStaff, uniqueEmail } from '../helpers/fixtures.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';
import { deviceOptions, launchChromium, screenshot, signIn } from '../helpers/browser.js';

let system: RunningSystem & { url: string };
let smtp: TestSmtp;
let browser: Browser;
const contexts: BrowserContext[] = [];
let template: DocumentTemplate;
let kase: Case;
let owner: Account;
let ownerPassword: string;
let staff: { email: string; password: string };

beforeAll(async () => {
  smtp = await startSmtp();
  system = await startTestSystem({ SMTP_URL: smtp.url });
  const db = system.database.db;
  const space = await db
    .insertInto('spaces')
    .values({ slug: `location-${Date.now()}`, name: 'Gestion locative', team_email: 'agence-location@example.test' })
    .returningAll()
    .executeTakeFirstOrThrow();
  template = await cloneTemplate(db, 'demande-location', { digestMinutes: 0 });
  const created = await createClient(db, { space, name: 'Claire Martin' });
  owner = created.account;
  ownerPassword = created.password;
  kase = await makeCase(db, { space, client: owner, template, number: `LOC-2026-${Date.now().toString().slice(-6)}` });
  const agent = await createStaff(db, { name: 'Julien Bernard', spaces: [space] });
  staff = { email: agent.account.email, password: agent.password };
  browser = await launchChromium();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await system?.stop();
  await smtp?.close();
});

async function newPage(options: { phone?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext(deviceOptions(options.phone === true, system.url));
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw err;
  });
  return page;
}

describe('contributors in a browser', () => {
  it('a guarantor invited by staff accepts from the e-mail, sees only their pieces, deposits one; the main client sees it', async () => {
    const db = system.database.db;
    const guaranteeId = await categoryId(db, template.id, 'garantie');
    const guarantorEmail = uniqueEmail('marc.garant');

    // 1. Staff add the guarantor from the case page, by keyboard.
    const back = await newPage();
    await signIn(back, staff, 'staff');
    await back.goto(`/back-office/dossiers/${kase.id}`);
    await back.locator('#people summary').focus();
    await back.keyboard.press('Enter');
    await back.getByLabel('Nom et prénom').fill('Marc Garant');
    await back.getByLabel('Adresse e-mail').fill(guarantorEmail);
    await back.getByLabel('Rôle').selectOption('garant');
    expect(await back.getByLabel('Envoyer l’invitation maintenant').isChecked()).toBe(true);
    await screenshot(back, 'contributors-01-staff-add');
    await Promise.all([
      back.waitForURL(/ok=person-invited/),
      back.locator('#people').getByRole('button', { name: 'Ajouter' }).click(),
    ]);
    expect(await back.locator('#people .person', { hasText: 'Marc Garant' }).innerText()).toContain(
      'invitation envoyée',
    );
    await screenshot(back, 'contributors-02-staff-invited');

    // 2. The e-mail, through the real SMTP server.
    const mail = await smtp.waitFor((m) => smtp.to(guarantorEmail).includes(m));
    expect(mail.subject).toBe(`Invitation à compléter le dossier ${kase.number}`);
    const link = /(http:\/\/\S+\/invitation\/[A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
    expect(link).toBeDefined();

    // 3. On a phone: the link, the acceptance, only the guarantor's pieces.
    const phone = await newPage({ phone: true });
    await phone.goto(new URL(link!).pathname);
    expect(await phone.locator('main').innerText()).toContain('Claire Martin vous invite à déposer vos pièces');
    await screenshot(phone, 'contributors-03-invitation-phone');
    await Promise.all([
      phone.waitForURL(`**/dossiers/${kase.id}?ok=invitation-password`),
      phone.getByRole('button', { name: 'Accepter l’invitation' }).click(),
    ]);
    const main = await phone.locator('main').innerText();
    expect(main).toContain('en tant que garant');
    expect(main).not.toContain('(locataire)');
    expect(main).not.toContain('Personnes ayant accès');
    expect(main).not.toContain('commentaire');
    await screenshot(phone, 'contributors-04-guarantor-phone');
    // A first password went by e-mail, for the next visits.
    await smtp.waitFor((m) => smtp.to(guarantorEmail).includes(m) && (m.subject ?? '').includes('mot de passe'));

    // 4. The guarantor deposits the guarantee deed.
    await phone
      .locator(`#f-${guaranteeId}`)
      .setInputFiles({ name: 'acte de caution.pdf', mimeType: 'application/pdf', buffer: await makePdf(1, 'Caution') });
    await phone.locator('#cat-garantie .doc', { hasText: 'acte de caution.pdf' }).waitFor();
    expect(await phone.locator('#cat-garantie .badge.state-in_review').innerText()).toBe('En cours d’examen');
    await screenshot(phone, 'contributors-05-guarantor-deposited-phone');

    // 5. The main client's page shows it, and who has access.
    const client = await newPage();
    await signIn(client, { email: owner.email, password: ownerPassword }, 'client');
    await client.goto(`/dossiers/${kase.id}`);
    await client.locator('#cat-garantie .doc', { hasText: 'acte de caution.pdf' }).waitFor();
    expect(await client.locator('#people').innerText()).toContain('Marc Garant');
    expect(await client.locator('#people').innerText()).toContain('accès actif');
    expect(await client.locator('main').innerText()).not.toContain(guarantorEmail);
    await screenshot(client, 'contributors-06-main-client');
    const clientPhone = await newPage({ phone: true });
    await signIn(clientPhone, { email: owner.email, password: ownerPassword }, 'client');
    await clientPhone.goto(`/dossiers/${kase.id}`);
    await screenshot(clientPhone, 'contributors-07-main-client-phone');
    // The main client may invite too (the template allows it); a bad form says what is wrong.
    await Promise.all([
      clientPhone.waitForURL(`**/dossiers/${kase.id}/contributeurs`),
      clientPhone.getByRole('link', { name: 'Inviter une personne à déposer ses pièces' }).click(),
    ]);
    await clientPhone.getByLabel('Adresse e-mail').fill('pas-une-adresse');
    await clientPhone.getByRole('button', { name: 'Ajouter' }).click();
    await clientPhone.locator('[role="alert"]').waitFor();
    const alert = await clientPhone.locator('[role="alert"]').innerText();
    expect(alert).toContain('Indiquez le nom et le prénom de la personne.');
    expect(await clientPhone.getByLabel('Adresse e-mail').inputValue()).toBe('pas-une-adresse');
    expect(await clientPhone.locator('#p-role option').allInnerTexts()).toEqual(['Garant']);
    expect(await clientPhone.locator('input[name="notify"]').count()).toBe(0);
    await screenshot(clientPhone, 'contributors-09-owner-invite-errors-phone');

    // 6. Staff see the guarantor active, with their e-mail.
    await back.goto(`/back-office/dossiers/${kase.id}`);
    const people = await back.locator('#people').innerText();
    expect(people).toContain(guarantorEmail);
    expect(people).toContain('accès actif');
    await screenshot(back, 'contributors-08-staff-active');
  });
});
