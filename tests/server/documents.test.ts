// Document collection through the real HTTP routes, PostgreSQL, storage and Temporal: templates
// and their rules, finding a case, deposits (form and JSON), withdrawal, staff review, a category
// turning complete, the splitting zone cutting a PDF, and who may see what.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PDFArray, PDFDocument, PDFRawStream } from 'pdf-lib';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Db } from '../../db/connect.js';
import type { Account, DocumentTemplate, Space } from '../../db/database.js';
import { addTemplateCategory, caseDocuments, findTemplateBySlug, templateCategories } from '../../db/documents.js';
import { categoryStates, isPieceRequired, TemplateRuleError, templateCategoryProblems } from '../../domain/pieces.js';
import type { RunningSystem } from '../../runtime/system.js';
import { categoryId, cloneTemplate, makeCase, makePdf, storedFiles } from '../helpers/documents.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser, csrfToken } from '../helpers/http.js';
import { openCase } from '../../app/documents.js';
import { collectionStateQuery, documentCollectionWorkflowId } from '../../workflows/index.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let db: Db;
let space: Space;
let lease: DocumentTemplate;

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
  space = await createSpace(db, 'Crédit auto');
  lease = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
});
afterAll(async () => {
  await system?.stop();
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function client(name = 'Claire Martin'): Promise<{ account: Account; browser: Browser }> {
  const { account, password } = await createClient(db, { space, name });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password)).statusCode).toBe(303);
  return { account, browser };
}

async function staff(): Promise<Browser> {
  const { account, password } = await createStaff(db, { name: 'Julien Bernard', spaces: [space] });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password, 'staff')).statusCode).toBe(303);
  return browser;
}

describe('templates', () => {
  it('ships the vehicle case with the 8 categories of seed 000, a rental and a loan template', async () => {
    const vehicle = await findTemplateBySlug(db, 'credit-bail-vehicule');
    const categories = await templateCategories(db, vehicle!.id);
    expect(categories.map((c) => c.label)).toEqual([
      'Identité',
      'Domicile',
      'RIB',
      'Emploi et revenus',
      'Infos véhicule',
      'Pièces contractuelles',
      'Apport',
      'Relevés de compte',
    ]);
    expect(categories.every((c) => c.accepts.length > 0 && c.refusal_reasons.length > 0)).toBe(true);
    const rental = await findTemplateBySlug(db, 'demande-location');
    const rentalCategories = await templateCategories(db, rental!.id);
    expect(new Set(rentalCategories.flatMap((c) => c.pieces.map((p) => p.role)))).toEqual(
      new Set(['locataire', 'garant']),
    );
    const loan = await findTemplateBySlug(db, 'demande-pret');
    const loanCategories = await templateCategories(db, loan!.id);
    expect(new Set(loanCategories.flatMap((c) => c.pieces.map((p) => p.role)))).toEqual(
      new Set(['emprunteur', 'co-emprunteur']),
    );
  });

  it('never lets a property-management template ask for bank statements', async () => {
    const rental = (await findTemplateBySlug(db, 'demande-location'))!;
    for (const c of await templateCategories(db, rental.id))
      expect(templateCategoryProblems(rental.sector, c)).toEqual([]);
    const statements = {
      code: 'releves',
      label: 'Relevés de compte',
      label_en: 'Bank statements',
      accepts: [{ fr: 'Trois derniers relevés bancaires', en: 'Last three statements' }],
      refusalReasons: [],
      pieces: [],
    };
    const copy = await cloneTemplate(db, 'demande-location');
    await expect(addTemplateCategory(db, copy.id, statements)).rejects.toBeInstanceOf(TemplateRuleError);
    // Disguised in a piece's label only: still refused.
    await expect(
      addTemplateCategory(db, copy.id, {
        ...statements,
        code: 'divers',
        label: 'Divers',
        label_en: 'Other',
        accepts: [],
        pieces: [
          {
            code: 'x',
            label: { fr: 'Relevé de compte du mois', en: 'Statement' },
            role: 'locataire',
            rule: { kind: 'required' },
          },
        ],
      }),
    ).rejects.toBeInstanceOf(TemplateRuleError);
    // A lender may.
    const loan = await cloneTemplate(db, 'demande-pret');
    await expect(addTemplateCategory(db, loan.id, statements)).resolves.toMatchObject({ code: 'releves' });
  });

  it('asks for a down-payment proof in leasing from 15,000 € only (seed 000)', async () => {
    const categories = await templateCategories(db, lease.id);
    const apport = categories.find((c) => c.code === 'apport')!;
    const rule = apport.pieces[0]!.rule;
    expect(isPieceRequired(rule, { financing: 'lease', downPayment: 15000 })).toBe(true);
    expect(isPieceRequired(rule, { financing: 'lease', downPayment: 14999 })).toBe(false);
    expect(isPieceRequired(rule, { financing: 'credit', downPayment: 20000 })).toBe(false);
    expect(isPieceRequired(rule, {})).toBe(false);
    const states = categoryStates(categories, [], { financing: 'lease', downPayment: 9000 });
    expect(states.find((s) => s.category.code === 'apport')?.state).toBe('optional');
    expect(
      categoryStates(categories, [], { financing: 'lease', downPayment: 18000 }).find(
        (s) => s.category.code === 'apport',
      )?.state,
    ).toBe('missing');
  });
});

describe('finding a case', () => {
  it('by its number or the client’s name, else "Affaire non trouvée"; a client finds only their own', async () => {
    const { account, browser } = await client('Élodie Rousseau-Durand');
    const kase = await makeCase(db, { space, client: account, template: lease, number: 'EKIP-4471-XZ' });
    const other = await client('Marc Petit');
    await makeCase(db, { space, client: other.account, template: lease, number: 'EKIP-9999-AA' });

    const byNumber = await browser.get('/dossiers?q=ekip-4471-xz');
    expect(byNumber.statusCode).toBe(302);
    expect(byNumber.headers.location).toBe(`/dossiers/${kase.id}`);
    const staffBrowser = await staff();
    const byName = await staffBrowser.get(`/back-office/dossiers?q=${encodeURIComponent('rousseau élodie')}`);
    expect(byName.headers.location).toBe(`/back-office/dossiers/${kase.id}`);

    const missing = await browser.get('/dossiers?q=EKIP-9999-AA');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Affaire non trouvée');
    expect(
      (
        await browser.get(
          `/dossiers/${(await db.selectFrom('cases').select('id').where('number', '=', 'EKIP-9999-AA').executeTakeFirstOrThrow()).id}`,
        )
      ).statusCode,
    ).toBe(404);
    const list = await browser.get('/dossiers');
    expect(list.body).toContain('EKIP-4471-XZ');
    expect(list.body).not.toContain('EKIP-9999-AA');
  });
});

describe('deposits and review', () => {
  it('stores a deposit with its hash, lets the client withdraw it until staff review, and shows refusals and green categories', async () => {
    const { account, browser } = await client();
    const kase = await makeCase(db, {
      space,
      client: account,
      template: lease,
      facts: { financing: 'lease', downPayment: 16000 },
    });
    const rib = await categoryId(db, lease.id, 'rib');
    const identity = await categoryId(db, lease.id, 'identite');
    const page = `/dossiers/${kase.id}`;
    const before = await storedFiles(system.config.storageDir);

    const pdf = await makePdf(1, 'RIB');
    const json = await browser.postMultipart(
      `${page}/documents`,
      { category: rib },
      [{ filename: 'rib.pdf', content: pdf }],
      { formUrl: page },
    );
    // The plain form post (no script): a redirect to the page with the category in view.
    expect(json.statusCode).toBe(303);
    expect(json.headers.location).toMatch(/ok=deposited.*#cat-rib$/);
    let docs = await caseDocuments(db, kase.id);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({
      file_name: 'rib.pdf',
      sha256: sha256(pdf),
      size_bytes: pdf.length,
      page_count: 1,
      status: 'pending',
      category_id: rib,
    });
    expect(await storedFiles(system.config.storageDir)).toHaveLength(before.length + 1);
    const download = await browser.get(`${page}/documents/${docs[0]!.id}`);
    expect(download.rawPayload.equals(pdf)).toBe(true);

    // Withdrawn while pending: row and file gone.
    const withdrawn = await browser.post(`${page}/documents/${docs[0]!.id}/retrait`, {}, { formUrl: page });
    expect(withdrawn.statusCode).toBe(303);
    expect(await caseDocuments(db, kase.id)).toHaveLength(0);
    expect(await storedFiles(system.config.storageDir)).toEqual(before);

    // The script's way: JSON back.
    const again = await browser.postMultipart(
      `${page}/documents`,
      { category: identity },
      [{ filename: 'cni.pdf', content: await makePdf(2, 'CNI') }],
      { formUrl: page },
    );
    expect(again.statusCode).toBe(303);
    docs = await caseDocuments(db, kase.id);
    const cni = docs[0]!;

    // Staff reject with a reason from the category's list, and a comment.
    const agent = await staff();
    const staffPage = `/back-office/dossiers/${kase.id}`;
    expect((await agent.get(staffPage)).body).toContain('cni.pdf');
    const noReason = await agent.post(
      `${staffPage}/documents/${cni.id}/examen`,
      { decision: 'reject', reason: 'not-a-reason' },
      { formUrl: staffPage },
    );
    expect(noReason.statusCode).toBe(400);
    const rejected = await agent.post(
      `${staffPage}/documents/${cni.id}/examen`,
      { decision: 'reject', reason: 'verso-manquant', comment: 'Merci de scanner les deux faces' },
      { formUrl: staffPage },
    );
    expect(rejected.statusCode).toBe(303);
    const clientView = await browser.get(page);
    expect(clientView.body).toContain('Refusé : Le verso de la pièce manque — Merci de scanner les deux faces');
    // Reviewed: no longer withdrawable.
    expect(
      (await browser.post(`${page}/documents/${cni.id}/retrait`, {}, { formUrl: page })).headers.location,
    ).toContain('ok=late');
    expect(await caseDocuments(db, kase.id)).toHaveLength(1);

    // A new deposit, validated as the identity piece: the category turns complete (green).
    await browser.postMultipart(
      `${page}/documents`,
      { category: identity },
      [{ filename: 'cni recto verso.pdf', content: await makePdf(2, 'CNI') }],
      { formUrl: page },
    );
    const second = (await caseDocuments(db, kase.id)).find((d) => d.file_name === 'cni recto verso.pdf')!;
    expect(
      (
        await agent.post(
          `${staffPage}/documents/${second.id}/examen`,
          { decision: 'validate', piece: 'identite-emprunteur' },
          { formUrl: staffPage },
        )
      ).statusCode,
    ).toBe(303);
    const green = await browser.get(page);
    expect(green.body).toMatch(/<li class="category state-complete" id="cat-identite"/);
    expect(green.body).toContain('Cette catégorie est validée');
    // Twice reviewed: refused.
    expect(
      (
        await agent.post(
          `${staffPage}/documents/${second.id}/examen`,
          { decision: 'reject', reason: 'illisible' },
          { formUrl: staffPage },
        )
      ).statusCode,
    ).toBe(409);
    // Nothing more is asked there.
    const more = await browser.postMultipart(
      `${page}/documents`,
      { category: identity },
      [{ filename: 'encore.pdf', content: await makePdf(1) }],
      { formUrl: page },
    );
    expect(more.statusCode).toBe(409);
    expect(await caseDocuments(db, kase.id)).toHaveLength(2);
  });

  it('answers JSON to the page’s script, and keeps another client out of the case', async () => {
    const { account, browser } = await client();
    const kase = await makeCase(db, { space, client: account, template: lease });
    const rib = await categoryId(db, lease.id, 'rib');
    const page = `/dossiers/${kase.id}`;
    const token = /name="_csrf" value="([^"]+)"/.exec((await browser.get(page)).body)![1]!;
    const { multipartBody } = await import('../helpers/http.js');
    const body = multipartBody([
      { name: '_csrf', value: token },
      { name: 'category', value: rib },
      { name: 'files', file: { filename: 'rib.pdf', content: await makePdf(1) } },
    ]);
    const res = await system.app!.inject({
      method: 'POST',
      url: `${page}/documents`,
      payload: body.body,
      headers: {
        'content-type': body.contentType,
        accept: 'application/json',
        cookie: `guichet_session=${browser.cookie('guichet_session')}; guichet_csrf=${browser.cookie('guichet_csrf')}`,
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, message: '1 document déposé dans « RIB ».' });

    const intruder = await client('Marc Petit');
    const files = await storedFiles(system.config.storageDir);
    const attempt = await intruder.browser.postMultipart(
      `${page}/documents`,
      { category: rib },
      [{ filename: 'x.pdf', content: await makePdf(1) }],
      { formUrl: '/dossiers' },
    );
    expect(attempt.statusCode).toBe(404);
    expect(await storedFiles(system.config.storageDir)).toEqual(files);
    const doc = (await caseDocuments(db, kase.id))[0]!;
    expect((await intruder.browser.get(`${page}/documents/${doc.id}`)).statusCode).toBe(404);
    expect((await intruder.browser.get(page)).statusCode).toBe(404);
  });
});

describe('the collection workflow', () => {
  it('starts with the case, keeps its history short with continue-as-new, and handles every event', async () => {
    const { account, browser } = await client();
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const temporal = new Client({ connection });
      const kase = await openCase(db, system.app!.deps.workflows, {
        spaceId: space.id,
        templateId: lease.id,
        clientAccountId: account.id,
        number: `TELEFI-CAN-${Date.now()}`,
        title: 'Crédit',
      });
      const handle = temporal.workflow.getHandle(documentCollectionWorkflowId(kase.id));
      const first = (await handle.describe()).runId;
      const page = `/dossiers/${kase.id}`;
      const token = csrfToken((await browser.get(page)).body);
      for (let i = 0; i < 25; i++)
        expect(
          (await browser.post(`${page}/commentaires`, { comment: `Commentaire ${i}` }, { csrf: token })).statusCode,
        ).toBe(303);
      // The dev server of the tests suggests continue-as-new after 40 events.
      const state = await waitFor(
        () => temporal.workflow.getHandle(documentCollectionWorkflowId(kase.id)).query(collectionStateQuery),
        (s) => s.handledEvents === 25,
      );
      expect(state.pendingEvents).toBe(0);
      expect((await temporal.workflow.getHandle(documentCollectionWorkflowId(kase.id)).describe()).runId).not.toBe(
        first,
      );
      const shown = await browser.get(page);
      expect(shown.body).toContain('Commentaire 24');
    } finally {
      await connection.close();
    }
  });
});

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in time: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('the splitting zone', () => {
  it('cuts a 3-page PDF into one document per category, copying pages, and keeps nothing of a bad request', async () => {
    const { account, browser } = await client();
    const kase = await makeCase(db, { space, client: account, template: lease });
    const identity = await categoryId(db, lease.id, 'identite');
    const home = await categoryId(db, lease.id, 'domicile');
    const page = `/dossiers/${kase.id}`;
    const source = await makePdf(3, 'Scan');
    const before = await storedFiles(system.config.storageDir);

    const bad = await browser.postMultipart(
      `${page}/decoupage`,
      { [`pages-${identity}`]: '1-2', [`pages-${home}`]: '2-4' },
      [{ filename: 'scan.pdf', content: source }],
      { formUrl: page },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Les pages indiquées pour « Domicile » ne sont pas valides.');
    const twice = await browser.postMultipart(
      `${page}/decoupage`,
      { [`pages-${identity}`]: '1-2', [`pages-${home}`]: '2' },
      [{ filename: 'scan.pdf', content: source }],
      { formUrl: page },
    );
    expect(twice.body).toContain('La page 2 est envoyée dans deux catégories.');
    const after = await storedFiles(system.config.storageDir);
    const extra = after.filter((f) => !before.includes(f));
    const described = await Promise.all(
      extra.map(async (f) => {
        const bytes = await readFile(path.join(system.config.storageDir, f));
        const row = await db
          .selectFrom('documents')
          .select(['file_name', 'case_id', 'created_at'])
          .where('sha256', '=', sha256(bytes))
          .execute();
        return `${f}: ${bytes.length} bytes, ${bytes.subarray(0, 8).toString('latin1')}, rows ${JSON.stringify(row)}`;
      }),
    );
    expect(described).toEqual([]);
    expect(after).toEqual(before);
    expect(await caseDocuments(db, kase.id)).toHaveLength(0);

    const ok = await browser.postMultipart(
      `${page}/decoupage`,
      { [`pages-${identity}`]: '1, 2', [`pages-${home}`]: '3' },
      [{ filename: 'scan.pdf', content: source }],
      { formUrl: page },
    );
    expect(ok.statusCode).toBe(303);
    const docs = await caseDocuments(db, kase.id);
    expect(docs.map((d) => [d.category_id, d.page_count, d.source, d.file_name]).sort()).toEqual(
      [
        [identity, 2, 'split', 'scan – Identité.pdf'],
        [home, 1, 'split', 'scan – Domicile.pdf'],
      ].sort(),
    );
    // Two documents stored, the original not kept.
    expect(await storedFiles(system.config.storageDir)).toHaveLength(before.length + 2);
    const cut = await browser.get(`${page}/documents/${docs.find((d) => d.category_id === identity)!.id}`);
    const parsed = await PDFDocument.load(cut.rawPayload);
    expect(parsed.getPageCount()).toBe(2);
    // The page's content stream is copied as it was (no re-encoding).
    const original = await PDFDocument.load(source);
    const streamOf = (doc: PDFDocument, i: number) => {
      const contents = doc.getPage(i).node.Contents();
      const parts =
        contents instanceof PDFArray ? contents.asArray().map((ref) => doc.context.lookup(ref)) : [contents];
      return Buffer.concat(
        parts.map((p) => (p instanceof PDFRawStream ? Buffer.from(p.getContents()) : Buffer.alloc(0))),
      );
    };
    expect(streamOf(parsed, 1).length).toBeGreaterThan(0);
    expect(streamOf(parsed, 1).equals(streamOf(original, 1))).toBe(true);
  });
});
