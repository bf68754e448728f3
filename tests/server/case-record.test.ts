// The case record through the real routes, PostgreSQL, storage, Temporal and a real SMTP server:
// summary and conclusions, payment amount (typed the French way) and state, steps, files staff
// add and delete, download counts, history and the case's download state, the case-available
// e-mail (button and case opening), and the unpaid-cases rule (off / watermark / block × exempt
// × paid × staff), with an encrypted PDF refused rather than served unstamped.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/connect.js';
import type { Account, Case, DocumentTemplate, Space } from '../../db/database.js';
import {
  CASE_AVAILABLE_ACTION,
  caseDownloadStates,
  caseFileDownloads,
  caseSteps,
  insertCaseFiles,
} from '../../db/case-record.js';
import { formatEuros } from '../../domain/case-record.js';
import { downloadDecision, unpaidRestriction } from '../../domain/downloads.js';
import { insertDocuments } from '../../db/documents.js';
import type { RunningSystem } from '../../runtime/system.js';
import { categoryId, cloneTemplate, makeCase, makePdf, PNG_1PX, storedFiles } from '../helpers/documents.js';
import { createClient, createSpace, createStaff, uniqueEmail } from '../helpers/fixtures.js';
import { Browser, csrfToken } from '../helpers/http.js';
import { pdfText, renderPages, run } from '../helpers/pdf.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';
import { stampPixels, withUnpaidMode } from '../helpers/unpaid.js';
import { inspectFile, storeRaw } from '../helpers/stored.js';

let smtp: TestSmtp;
let system: RunningSystem & { url: string };
let db: Db;
let space: Space;
let lease: DocumentTemplate;
let staffBrowser: Browser;
let staffAccount: Account;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  smtp = await startSmtp();
  system = await startTestSystem({ SMTP_URL: smtp.url });
  db = system.database.db;
  space = await createSpace(db, 'Diagnostics immobiliers');
  lease = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
  const staff = await createStaff(db, { name: 'Julien Bernard', admin: true });
  staffAccount = staff.account;
  staffBrowser = new Browser(system.app!);
  expect((await staffBrowser.login(staff.account.email, staff.password, 'staff')).statusCode).toBe(303);
});
afterAll(async () => {
  await system?.stop();
  await smtp?.close();
});

async function clientWithCase(name = 'Claire Martin'): Promise<{ account: Account; browser: Browser; kase: Case }> {
  const { account, password } = await createClient(db, { space, name });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password)).statusCode).toBe(303);
  const kase = await makeCase(db, { space, client: account, template: lease });
  return { account, browser, kase };
}

const casePage = (kase: Case) => `/back-office/dossiers/${kase.id}`;

async function addFiles(kase: Case, files: Array<{ filename: string; content: Buffer }>) {
  return staffBrowser.postMultipart(`${casePage(kase)}/fichiers`, {}, files, { formUrl: casePage(kase) });
}

async function reload(kase: Case): Promise<Case> {
  return db.selectFrom('cases').selectAll().where('id', '=', kase.id).executeTakeFirstOrThrow();
}

async function fileRows(kase: Case) {
  return db.selectFrom('case_files').selectAll().where('case_id', '=', kase.id).orderBy('created_at').execute();
}

describe('case detail', () => {
  it('edits the summary and conclusions; a conclusion too long is refused with what was typed kept and nothing stored', async () => {
    const { kase } = await clientWithCase();
    const ok = await staffBrowser.post(
      `${casePage(kase)}/fiche`,
      {
        summary: 'Diagnostic complet du lot 12.',
        conclusions: 'Amiante : absence\n\n  DPE : classe D  \nPlomb : néant',
      },
      { formUrl: casePage(kase) },
    );
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toContain('ok=record');
    expect(await reload(kase)).toMatchObject({
      summary: 'Diagnostic complet du lot 12.',
      conclusions: ['Amiante : absence', 'DPE : classe D', 'Plomb : néant'],
    });
    const page = await staffBrowser.get(ok.headers.location as string);
    expect(page.body).toContain('Le résumé et les conclusions sont enregistrés.');

    const bad = await staffBrowser.post(
      `${casePage(kase)}/fiche`,
      { summary: 'Autre résumé', conclusions: `Courte\n${'x'.repeat(501)}` },
      { formUrl: casePage(kase) },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('La conclusion n° 2 dépasse 500 caractères. Rien n’a été enregistré.');
    expect(bad.body).toContain('Autre résumé');
    expect((await reload(kase)).summary).toBe('Diagnostic complet du lot 12.');
  });

  it('edits the amount typed the French way; bad amounts get a clear message (French, English) and nothing is stored', async () => {
    const { kase } = await clientWithCase();
    const ok = await staffBrowser.post(
      `${casePage(kase)}/paiement/montant`,
      { amount: '1 234,50' },
      { formUrl: casePage(kase) },
    );
    expect(ok.statusCode).toBe(303);
    expect((await reload(kase)).payment_amount_cents).toBe(123450);
    const page = await staffBrowser.get(casePage(kase));
    expect(page.body).toContain('1\u202f234,50\u00a0€');
    expect(page.body).toContain('€ Modifier le montant');
    expect(page.body).toContain('value="1 234,50"');

    for (const typed of ['-45', '12,345', 'mille euros']) {
      const bad = await staffBrowser.post(
        `${casePage(kase)}/paiement/montant`,
        { amount: typed },
        { formUrl: casePage(kase) },
      );
      expect(bad.statusCode, typed).toBe(400);
      expect(bad.body).toContain(`« ${typed} » n’est pas un montant : écrivez-le en chiffres, par exemple 1 234,50`);
      expect(bad.body).toContain(`value="${typed}"`);
    }
    const huge = await staffBrowser.post(
      `${casePage(kase)}/paiement/montant`,
      { amount: '20 000 000' },
      { formUrl: casePage(kase) },
    );
    expect(huge.body).toContain('Le montant ne peut pas dépasser 10 000 000 €.');
    expect((await reload(kase)).payment_amount_cents).toBe(123450);

    const english = new Browser(system.app!);
    const other = await createStaff(db, { name: 'Emma Staff', spaces: [space] });
    await english.login(other.account.email, other.password, 'staff');
    english.setCookie('guichet_lang', 'en');
    const badEn = await english.post(
      `${casePage(kase)}/paiement/montant`,
      { amount: '12,345' },
      { formUrl: casePage(kase) },
    );
    expect(badEn.statusCode).toBe(400);
    expect(badEn.body).toContain('&quot;12,345&quot; is not an amount');

    const cleared = await staffBrowser.post(
      `${casePage(kase)}/paiement/montant`,
      { amount: '' },
      { formUrl: casePage(kase) },
    );
    expect(cleared.statusCode).toBe(303);
    expect((await reload(kase)).payment_amount_cents).toBeNull();
  });

  it('passes a case paid ⇄ unpaid with the button; a stale page changes nothing', async () => {
    const { kase } = await clientWithCase();
    const page = await staffBrowser.get(casePage(kase));
    expect(page.body).toContain('✓ Dossier payé');
    const token = csrfToken(page.body);
    const toUnpaid = await staffBrowser.post(
      `${casePage(kase)}/paiement/etat`,
      { from: 'paid', to: 'unpaid' },
      { csrf: token },
    );
    expect(toUnpaid.headers.location).toContain('ok=unpaid');
    expect((await reload(kase)).payment_state).toBe('unpaid');
    // The same click again, from the page that still said "paid".
    const stale = await staffBrowser.post(
      `${casePage(kase)}/paiement/etat`,
      { from: 'paid', to: 'unpaid' },
      { csrf: token },
    );
    expect(stale.headers.location).toContain('ok=stale');
    expect((await staffBrowser.get(casePage(kase))).body).toContain('✗ Dossier impayé');
    const bad = await staffBrowser.post(
      `${casePage(kase)}/paiement/etat`,
      { from: 'unpaid', to: 'rembourse' },
      { formUrl: casePage(kase) },
    );
    expect(bad.statusCode).toBe(400);
    await staffBrowser.post(
      `${casePage(kase)}/paiement/etat`,
      { from: 'unpaid', to: 'paid' },
      { formUrl: casePage(kase) },
    );
    expect((await reload(kase)).payment_state).toBe('paid');
    const steps = await caseSteps(db, await reload(kase));
    expect(steps.map((s) => s.kind)).toEqual(['opened', 'unpaid', 'paid']);
    expect(steps[1]!.by).toBe('Julien Bernard');
  });

  it('e-mails the payment confirmation when the case is marked paid (amount, client’s language), unless unticked; a stale click sends none', async () => {
    const { account: client } = await createClient(db, { space, name: 'Emma Walsh', locale: 'en' });
    const kase = await makeCase(db, { space, client, template: lease });
    await staffBrowser.post(`${casePage(kase)}/paiement/montant`, { amount: '1 234,50' }, { formUrl: casePage(kase) });
    await staffBrowser.post(
      `${casePage(kase)}/paiement/etat`,
      { from: 'paid', to: 'unpaid' },
      { formUrl: casePage(kase) },
    );
    const unpaidPage = await staffBrowser.get(casePage(kase));
    expect(unpaidPage.body).toContain('name="confirm" value="on" checked');
    const token = csrfToken(unpaidPage.body);
    const paid = await staffBrowser.post(
      `${casePage(kase)}/paiement/etat`,
      { from: 'unpaid', to: 'paid', confirm: 'on' },
      { csrf: token },
    );
    expect(paid.headers.location).toContain('ok=paid-notified');
    const mail = await smtp.waitFor((m) => smtp.to(client.email).includes(m), 30_000);
    expect(mail.subject).toBe(`Case ${kase.number}: payment received`);
    expect(mail.text).toContain('Hello Emma Walsh,');
    expect(mail.text).toContain(formatEuros(123_450, 'en'));
    expect(mail.text).toContain(`${system.config.publicUrl}/dossiers/${kase.id}`);
    // The same click from the stale page: nothing changes, nothing is sent.
    const stale = await staffBrowser.post(
      `${casePage(kase)}/paiement/etat`,
      { from: 'unpaid', to: 'paid', confirm: 'on' },
      { csrf: token },
    );
    expect(stale.headers.location).toContain('ok=stale');
    // Unpaid again, then paid with the box unticked: no second e-mail.
    await staffBrowser.post(
      `${casePage(kase)}/paiement/etat`,
      { from: 'paid', to: 'unpaid' },
      { formUrl: casePage(kase) },
    );
    const quiet = await staffBrowser.post(
      `${casePage(kase)}/paiement/etat`,
      { from: 'unpaid', to: 'paid' },
      { formUrl: casePage(kase) },
    );
    expect(quiet.headers.location).toMatch(/ok=paid#payment$/);
    expect(
      await db.selectFrom('notifications').select('id').where('recipient', '=', client.email).execute(),
    ).toHaveLength(1);
    const steps = await caseSteps(db, await reload(kase));
    expect(steps.map((s) => [s.kind, s.detail])).toEqual([
      ['opened', null],
      ['unpaid', null],
      ['paid', 'confirmation'],
      ['unpaid', null],
      ['paid', null],
    ]);
    expect((await staffBrowser.get(casePage(kase))).body).toContain('(confirmation envoyée au client)');
  });
});

describe('files of the case', () => {
  it('staff add files under the hostile-file rules (a refused form keeps nothing) and delete one', async () => {
    const { kase } = await clientWithCase();
    const root = system.config.storageDir;
    const before = await storedFiles(root);
    const refused = await addFiles(kase, [
      { filename: 'rapport.pdf', content: await makePdf(2) },
      { filename: 'rapport.pdf.exe', content: Buffer.from('MZ\x90\x00 not a pdf') },
    ]);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('« rapport.pdf.exe » n’est pas accepté');
    expect(await fileRows(kase)).toHaveLength(0);
    expect(await storedFiles(root)).toEqual(before);

    const html = await addFiles(kase, [
      { filename: 'page.pdf', content: Buffer.from('<html><script>alert(1)</script></html>') },
    ]);
    expect(html.statusCode).toBe(400);
    expect(html.body).toContain('son contenu n’est pas celui d’un fichier PDF');
    expect(await fileRows(kase)).toHaveLength(0);

    const none = await addFiles(kase, []);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Choisissez au moins un fichier à ajouter.');

    const pdf = await makePdf(2);
    const ok = await addFiles(kase, [
      { filename: 'Rapport DPE.pdf', content: pdf },
      { filename: 'plan.png', content: PNG_1PX },
    ]);
    expect(ok.statusCode).toBe(303);
    const rows = await fileRows(kase);
    expect(rows.map((r) => [r.file_name, r.content_type, r.page_count, r.sha256])).toEqual([
      ['Rapport DPE.pdf', 'application/pdf', 2, sha256(pdf)],
      ['plan.png', 'image/png', null, sha256(PNG_1PX)],
    ]);
    expect((await storedFiles(root)).length).toBe(before.length + 2);
    const page = await staffBrowser.get(casePage(kase));
    expect(page.body).toContain('Rapport DPE.pdf');
    expect(page.body).toContain('Non téléchargé');

    const del = await staffBrowser.post(
      `${casePage(kase)}/fichiers/${rows[1]!.id}/suppression`,
      {},
      { formUrl: casePage(kase) },
    );
    expect(del.statusCode).toBe(303);
    expect((await fileRows(kase)).map((r) => r.file_name)).toEqual(['Rapport DPE.pdf']);
    expect((await storedFiles(root)).length).toBe(before.length + 1);
    expect((await staffBrowser.get(`${casePage(kase)}/fichiers/${rows[1]!.id}`)).statusCode).toBe(404);
    // Another case's id in the path finds nothing.
    const other = await clientWithCase('Marc Petit');
    expect(
      (
        await staffBrowser.post(
          `${casePage(other.kase)}/fichiers/${rows[0]!.id}/suppression`,
          {},
          { formUrl: casePage(kase) },
        )
      ).statusCode,
    ).toBe(404);
    expect(await fileRows(kase)).toHaveLength(1);
    const steps = await caseSteps(db, await reload(kase));
    expect(steps.filter((s) => s.kind === 'file_added').map((s) => s.detail)).toEqual(['Rapport DPE.pdf', 'plan.png']);
  });

  it('counts downloads, keeps the access history (who, when, IP) and moves the case from not downloaded to partially downloaded to downloaded', async () => {
    const { browser, kase, account } = await clientWithCase('Léa Moreau');
    expect((await caseDownloadStates(db, [kase.id])).get(kase.id)).toBe('no_files');
    await addFiles(kase, [
      { filename: 'rapport.pdf', content: await makePdf(1) },
      { filename: 'attestation.pdf', content: await makePdf(1, 'Attestation') },
    ]);
    const [a, b] = await fileRows(kase);
    expect((await caseDownloadStates(db, [kase.id])).get(kase.id)).toBe('not_downloaded');
    // Staff downloading does not count as the client's.
    expect((await staffBrowser.get(`${casePage(kase)}/fichiers/${a!.id}`)).statusCode).toBe(200);
    expect((await caseDownloadStates(db, [kase.id])).get(kase.id)).toBe('not_downloaded');

    const first = await browser.get(`/dossiers/${kase.id}/fichiers/${a!.id}`);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-disposition']).toContain('rapport.pdf');
    expect((await caseDownloadStates(db, [kase.id])).get(kase.id)).toBe('partial');
    await browser.get(`/dossiers/${kase.id}/fichiers/${a!.id}`);
    await browser.get(`/dossiers/${kase.id}/fichiers/${b!.id}`);
    expect((await caseDownloadStates(db, [kase.id])).get(kase.id)).toBe('downloaded');

    const downloads = await caseFileDownloads(db, [a!.id, b!.id]);
    expect(downloads.get(a!.id)).toMatchObject({ clientCount: 2, totalCount: 3 });
    expect(downloads.get(b!.id)).toMatchObject({ clientCount: 1, totalCount: 1 });
    const history = downloads.get(a!.id)!.history;
    expect(history.map((h) => [h.actorName, h.actorKind, h.variant])).toEqual([
      [account.full_name, 'client', 'original'],
      [account.full_name, 'client', 'original'],
      ['Julien Bernard', 'staff', 'original'],
    ]);
    expect(history.map((h) => h.ip)).toEqual([browser.ip, browser.ip, staffBrowser.ip]);
    expect(history.every((h) => h.at instanceof Date)).toBe(true);

    const page = await staffBrowser.get(casePage(kase));
    expect(page.body).toContain('Téléchargé 2 fois par le client');
    expect(page.body).toContain('Téléchargé 1 fois par le client');
    expect(page.body).toContain('État des téléchargements : <span class="badge dl-downloaded">Téléchargé</span>');
    expect(page.body).toContain(browser.ip);
    // The case list says the same on the case's row (a second case keeps the search a list).
    await makeCase(db, { space, client: account, template: lease, number: `${kase.number}-B` });
    const list = await staffBrowser.get(`/back-office/dossiers?q=${encodeURIComponent(kase.number)}&page=1`);
    const row =
      new RegExp(`<tr[^>]*>(?:(?!</tr>)[\\s\\S])*>${kase.number}</a>(?:(?!</tr>)[\\s\\S])*</tr>`).exec(
        list.body,
      )?.[0] ?? '';
    expect(row).toContain('<span class="badge dl-downloaded" title="Téléchargements">Téléchargé</span>');

    // A client reaches only the files of their own cases.
    const stranger = await clientWithCase('Paul Durand');
    expect((await stranger.browser.get(`/dossiers/${kase.id}/fichiers/${a!.id}`)).statusCode).toBe(404);
    expect((await stranger.browser.get(`/dossiers/${stranger.kase.id}/fichiers/${a!.id}`)).statusCode).toBe(404);
    expect((await caseFileDownloads(db, [a!.id])).get(a!.id)!.clientCount).toBe(2);
    // The client's page lists the files; the staff history (IPs) is not on it.
    const clientPage = await browser.get(`/dossiers/${kase.id}`);
    expect(clientPage.body).toContain('Documents de votre dossier');
    expect(clientPage.body).toContain(`/dossiers/${kase.id}/fichiers/${a!.id}`);
    expect(clientPage.body).not.toContain(browser.ip);
    expect(clientPage.body).not.toContain('Historique d’accès');
  });
});

describe('telling the client the case is available', () => {
  it('e-mails the editable case-available template through the outbox and records the step', async () => {
    const { account, kase } = await clientWithCase('Sophie Lambert');
    const res = await staffBrowser.post(`${casePage(kase)}/avertir`, {}, { formUrl: casePage(kase) });
    expect(res.statusCode).toBe(303);
    const mail = await smtp.waitFor((m) => smtp.to(account.email).includes(m), 30_000);
    expect(mail.subject).toContain(kase.number);
    expect(mail.text).toContain(`${system.config.publicUrl}/dossiers/${kase.id}`);
    expect(mail.text).toContain('Sophie Lambert');
    const outbox = await db.selectFrom('notifications').selectAll().where('recipient', '=', account.email).execute();
    expect(outbox).toHaveLength(1);
    await expect
      .poll(
        async () =>
          (await db.selectFrom('notifications').select('status').where('id', '=', outbox[0]!.id).executeTakeFirst())
            ?.status,
        { timeout: 20_000 },
      )
      .toBe('sent');
    const steps = await caseSteps(db, kase);
    expect(steps.map((s) => s.kind)).toContain('available');
    const page = await staffBrowser.get(casePage(kase));
    expect(page.body).toContain('Client averti de la disponibilité');
  });

  it('e-mails the client when staff open a case for them, unless the box is unticked', async () => {
    const form = await staffBrowser.get('/back-office/dossiers/nouveau');
    expect(form.body).toContain('name="notifyClient" value="1" checked');
    const open = async (notify: boolean) => {
      const email = uniqueEmail('ouverture');
      const number = `EKIP-${Math.floor(Math.random() * 1e9)}`;
      const res = await staffBrowser.post(
        '/back-office/dossiers/nouveau',
        {
          number,
          title: 'Diagnostic avant vente',
          clientEmail: email,
          clientName: 'Hugo Renard',
          space: space.id,
          template: lease.id,
          ...(notify ? { notifyClient: '1' } : {}),
        },
        { formUrl: '/back-office/dossiers/nouveau' },
      );
      expect(res.statusCode).toBe(303);
      const kase = await db.selectFrom('cases').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
      return { email, kase };
    };
    const notified = await open(true);
    const mail = await smtp.waitFor((m) => smtp.to(notified.email).includes(m), 30_000);
    expect(mail.text).toContain(`/dossiers/${notified.kase.id}`);
    expect((await caseSteps(db, notified.kase)).map((s) => s.kind)).toEqual(['opened', 'available']);

    const quiet = await open(false);
    const audits = await db
      .selectFrom('audit_log')
      .select('action')
      .where('subject_id', '=', quiet.kase.id)
      .where('action', '=', CASE_AVAILABLE_ACTION)
      .execute();
    expect(audits).toHaveLength(0);
    expect(
      await db.selectFrom('notifications').select('id').where('recipient', '=', quiet.email).execute(),
    ).toHaveLength(0);
  });
});

describe('unpaid cases', () => {
  it('decides per mode, exemption, payment and viewer', () => {
    const pdf = 'application/pdf';
    expect(
      downloadDecision('client', unpaidRestriction({ mode: 'off', paymentState: 'unpaid', exempt: false }), pdf),
    ).toBe('original');
    expect(
      downloadDecision('client', unpaidRestriction({ mode: 'watermark', paymentState: 'unpaid', exempt: false }), pdf),
    ).toBe('stamp');
    expect(
      downloadDecision(
        'client',
        unpaidRestriction({ mode: 'watermark', paymentState: 'unpaid', exempt: false }),
        'image/png',
      ),
    ).toBe('block');
    expect(
      downloadDecision('client', unpaidRestriction({ mode: 'watermark', paymentState: 'paid', exempt: false }), pdf),
    ).toBe('original');
    expect(
      downloadDecision('client', unpaidRestriction({ mode: 'watermark', paymentState: 'unpaid', exempt: true }), pdf),
    ).toBe('original');
    expect(
      downloadDecision('client', unpaidRestriction({ mode: 'block', paymentState: 'unpaid', exempt: false }), pdf),
    ).toBe('block');
    expect(
      downloadDecision('client', unpaidRestriction({ mode: 'block', paymentState: 'unpaid', exempt: true }), pdf),
    ).toBe('original');
    expect(
      downloadDecision('staff', unpaidRestriction({ mode: 'block', paymentState: 'unpaid', exempt: false }), pdf),
    ).toBe('original');
  });

  it('serves stamped PDFs, blocks other files or everything, lets exempt clients and staff have originals, and lifts at once when paid', async () => {
    const { account, browser, kase } = await clientWithCase('Nadia Benali');
    const pdf = await makePdf(3, 'Rapport');
    await addFiles(kase, [
      { filename: 'rapport.pdf', content: pdf },
      { filename: 'plan.png', content: PNG_1PX },
    ]);
    const [pdfRow, pngRow] = await fileRows(kase);
    // The client's own deposit, in the same case, follows the same rule.
    const deposit = await makePdf(1, 'Pièce');
    const inspected = await inspectFile('cni.pdf', deposit);
    if ('reason' in inspected) throw new Error(`refused: ${inspected.reason}`);
    const stored = await system.app!.deps.storage.put(inspected);
    const [doc] = await insertDocuments(db, [
      {
        caseId: kase.id,
        categoryId: await categoryId(db, lease.id, 'identite'),
        fileName: 'cni.pdf',
        contentType: 'application/pdf',
        sizeBytes: stored.sizeBytes,
        sha256: stored.sha256,
        storageKey: stored.key,
        pageCount: 1,
        source: 'upload',
        depositedBy: account.id,
      },
    ]);
    const pdfUrl = `/dossiers/${kase.id}/fichiers/${pdfRow!.id}`;
    const pngUrl = `/dossiers/${kase.id}/fichiers/${pngRow!.id}`;
    const docUrl = `/dossiers/${kase.id}/documents/${doc!.id}`;
    const setExempt = async (exempt: boolean) => {
      const res = await staffBrowser.post(`/back-office/clients/${account.id}/impayes`, exempt ? { exempt: '1' } : {}, {
        formUrl: `/back-office/clients/${account.id}`,
      });
      expect(res.statusCode).toBe(303);
    };
    await staffBrowser.post(
      `${casePage(kase)}/paiement/etat`,
      { from: 'paid', to: 'unpaid' },
      { formUrl: casePage(kase) },
    );

    await withUnpaidMode(db, 'off', async () => {
      expect(sha256((await browser.get(pdfUrl)).rawPayload)).toBe(sha256(pdf));
    });

    await withUnpaidMode(db, 'watermark', async () => {
      const stamped = await browser.get(pdfUrl);
      expect(stamped.statusCode).toBe(200);
      expect(stamped.headers['content-type']).toBe('application/octet-stream');
      expect(sha256(stamped.rawPayload)).not.toBe(sha256(pdf));
      const pages = await renderPages(stamped.rawPayload);
      expect(pages).toHaveLength(3);
      for (const [i, page] of pages.entries()) expect(stampPixels(page), `page ${i + 1}`).toBeGreaterThan(300);
      expect((await renderPages(pdf)).map(stampPixels)).toEqual([0, 0, 0]);
      const text = await pdfText(stamped.rawPayload);
      expect(text).toContain('Rapport 3');
      const png = await browser.get(pngUrl);
      expect(png.statusCode).toBe(403);
      expect(png.body).toContain('seuls les PDF peuvent être consultés');
      const own = await browser.get(docUrl);
      expect(own.statusCode).toBe(200);
      expect(stampPixels((await renderPages(own.rawPayload))[0]!)).toBeGreaterThan(300);
      // The client's page says why.
      const page = await browser.get(`/dossiers/${kase.id}`);
      expect(page.body).toContain('Dossier en attente de paiement');
      expect(page.body).toContain('« POUR CONSULTATION UNIQUEMENT » sur chaque page');
      // Staff get the original.
      expect(sha256((await staffBrowser.get(`${casePage(kase)}/fichiers/${pdfRow!.id}`)).rawPayload)).toBe(sha256(pdf));
      // An exempt client too.
      await setExempt(true);
      expect(sha256((await browser.get(pdfUrl)).rawPayload)).toBe(sha256(pdf));
      expect((await browser.get(pngUrl)).statusCode).toBe(200);
      await setExempt(false);
      expect(sha256((await browser.get(pdfUrl)).rawPayload)).not.toBe(sha256(pdf));
    });

    await withUnpaidMode(db, 'block', async () => {
      for (const url of [pdfUrl, pngUrl, docUrl]) {
        const res = await browser.get(url);
        expect(res.statusCode, url).toBe(403);
        expect(res.headers['content-type']).toContain('text/html');
        expect(res.body).toContain(
          'Ce dossier est en attente de paiement : ses documents ne peuvent pas être téléchargés pour le moment.',
        );
      }
      browser.setCookie('guichet_lang', 'en');
      expect((await browser.get(pdfUrl)).body).toContain(
        'This case is awaiting payment: its documents cannot be downloaded for now.',
      );
      browser.setCookie('guichet_lang', 'fr');
      expect((await browser.get(`/dossiers/${kase.id}`)).body).toContain(
        'Tant que le dossier n’est pas réglé, ses documents ne peuvent pas être téléchargés.',
      );
      expect((await staffBrowser.get(`${casePage(kase)}/fichiers/${pngRow!.id}`)).statusCode).toBe(200);
      await setExempt(true);
      expect((await browser.get(pdfUrl)).statusCode).toBe(200);
      await setExempt(false);
      // Marked paid: the very next download is the original.
      await staffBrowser.post(
        `${casePage(kase)}/paiement/etat`,
        { from: 'unpaid', to: 'paid' },
        { formUrl: casePage(kase) },
      );
      expect(sha256((await browser.get(pdfUrl)).rawPayload)).toBe(sha256(pdf));
      expect(sha256((await browser.get(pngUrl)).rawPayload)).toBe(sha256(PNG_1PX));
    });

    // The stored originals were never touched.
    const chunks: Buffer[] = [];
    for await (const chunk of await system.app!.deps.storage.get(pdfRow!.storage_key)) chunks.push(chunk as Buffer);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(pdf));
    expect((await fileRows(kase))[0]!.sha256).toBe(sha256(pdf));
    // The client's own deposit is logged under its document id, with its case.
    const docDownloads = await db
      .selectFrom('audit_log')
      .select(['details', 'actor_kind'])
      .where('action', '=', 'attachment.download')
      .where('subject_type', '=', 'document')
      .where('subject_id', '=', doc!.id)
      .execute();
    expect(docDownloads.map((d) => [d.actor_kind, d.details.caseId, d.details.variant])).toEqual([
      ['client', kase.id, 'stamped'],
    ]);
    // Stamped and original downloads show in the history; refusals do not count.
    const history = (await caseFileDownloads(db, [pdfRow!.id])).get(pdfRow!.id)!.history;
    expect(new Set(history.map((h) => h.variant))).toEqual(new Set(['original', 'stamped']));
  });

  it('refuses an encrypted PDF of an unpaid case instead of serving it unstamped', async () => {
    const { browser, kase } = await clientWithCase('Olivier Garnier');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-enc-'));
    let locked: Buffer;
    try {
      await writeFile(path.join(dir, 'in.pdf'), await makePdf(2));
      await run('qpdf', [
        '--encrypt',
        '',
        'owner-secret',
        '256',
        '--print=none',
        '--',
        path.join(dir, 'in.pdf'),
        path.join(dir, 'locked.pdf'),
      ]);
      locked = await readFile(path.join(dir, 'locked.pdf'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    // Uploads refuse encrypted PDFs; this one reached storage another way (an older import).
    const stored = await storeRaw(system.config.storageDir, locked);
    const [row] = await insertCaseFiles(db, [
      {
        caseId: kase.id,
        fileName: 'protege.pdf',
        contentType: 'application/pdf',
        sizeBytes: stored.sizeBytes,
        sha256: stored.sha256,
        storageKey: stored.key,
        pageCount: 2,
        uploadedBy: staffAccount.id,
      },
    ]);
    await staffBrowser.post(
      `${casePage(kase)}/paiement/etat`,
      { from: 'paid', to: 'unpaid' },
      { formUrl: casePage(kase) },
    );
    await withUnpaidMode(db, 'watermark', async () => {
      const res = await browser.get(`/dossiers/${kase.id}/fichiers/${row!.id}`);
      expect(res.statusCode).toBe(409);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('Ce PDF est protégé (chiffré) ou illisible');
      expect(res.rawPayload.includes(locked.subarray(0, 64))).toBe(false);
    });
    expect((await caseFileDownloads(db, [row!.id])).get(row!.id)!.totalCount).toBe(0);
    const refusals = await db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'attachment.download_refused')
      .where('subject_id', '=', row!.id)
      .execute();
    expect(refusals.map((r) => r.details.reason)).toEqual(['unstampable']);
  });

  it('lets administrators choose the mode in the settings; a bad value is refused', async () => {
    const page = await staffBrowser.get('/back-office/reglages');
    expect(page.body).toContain('Dossiers impayés');
    expect(page.body).toContain('Empêcher le téléchargement des dossiers non payés');
    await withUnpaidMode(db, 'off', async () => {
      const bad = await staffBrowser.post(
        '/back-office/reglages/impayes',
        { unpaidMode: 'tout' },
        { formUrl: '/back-office/reglages' },
      );
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('Choisissez l’une des trois options.');
      const ok = await staffBrowser.post(
        '/back-office/reglages/impayes',
        { unpaidMode: 'watermark' },
        { formUrl: '/back-office/reglages' },
      );
      expect(ok.statusCode).toBe(303);
      const after = await staffBrowser.get(ok.headers.location as string);
      expect(after.body).toContain('Le réglage des dossiers impayés est enregistré.');
      expect(after.body).toMatch(/value="watermark" checked/);
      const agent = await createStaff(db, { name: 'Agent Simple' });
      const agentBrowser = new Browser(system.app!);
      await agentBrowser.login(agent.account.email, agent.password, 'staff');
      expect(
        (
          await agentBrowser.post(
            '/back-office/reglages/impayes',
            { unpaidMode: 'block' },
            { formUrl: '/back-office/reglages' },
          )
        ).statusCode,
      ).toBe(403);
      expect(
        (await db.selectFrom('settings').select('unpaid_mode').where('id', '=', 1).executeTakeFirstOrThrow())
          .unpaid_mode,
      ).toBe('watermark');
    });
  });
});
