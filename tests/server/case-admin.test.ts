// Back-office case opening and the procedure editor, through the real routes, PostgreSQL and
// Temporal: a case opened by staff starts its collection and reaches the client; duplicates and
// bad input keep nothing; the editor saves edits, refuses bank statements in property management
// and the deletion of a category holding documents, and only administrators reach it.
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Db } from '../../db/connect.js';
import type { DocumentTemplate, Space } from '../../db/database.js';
import { insertDocuments, templateCategories } from '../../db/documents.js';
import { documentCountByCategory } from '../../db/documents-admin.js';
import type { RunningSystem } from '../../runtime/system.js';
import { procedureFormOf, type PieceForm, type ProcedureForm } from '../../server/features/cases/admin/view-models.js';
import { collectionStateQuery, documentCollectionWorkflowId } from '../../workflows/index.js';
import { cloneTemplate, makeCase } from '../helpers/documents.js';
import { createClient, createSpace, createStaff, uniqueEmail } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
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

async function staff(options: { admin?: boolean; locale?: 'fr' | 'en' } = {}): Promise<Browser> {
  const { account, password } = await createStaff(db, {
    name: 'Julien Bernard',
    admin: options.admin ?? false,
    spaces: [space],
  });
  if (options.locale)
    await db.updateTable('accounts').set({ locale: options.locale }).where('id', '=', account.id).execute();
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password, 'staff')).statusCode).toBe(303);
  return browser;
}

const number = () => `TELEFI-2026-${Math.floor(Math.random() * 1e9)}`;
/** Cases of a number, any case (other test files write cases at the same time: never a global count). */
const casesNumbered = async (ref: string) =>
  (
    await db
      .selectFrom('cases')
      .select('id')
      .where(sql`lower(number)`, '=', ref.toLowerCase())
      .execute()
  ).length;
const casesOf = async (clientId: string) =>
  (await db.selectFrom('cases').select('id').where('client_account_id', '=', clientId).execute()).length;

describe('opening a case from the back-office', () => {
  it('opens a case for a new client, starts its collection, audits it, and refuses the same number twice', async () => {
    const browser = await staff();
    const list = await browser.get('/back-office/dossiers');
    expect(list.body).toContain('href="/back-office/dossiers/nouveau"');
    const form = await browser.get('/back-office/dossiers/nouveau');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="fact-downPayment"');

    const ref = number();
    const email = uniqueEmail('nouveau');
    const res = await browser.post('/back-office/dossiers/nouveau', {
      number: `  ${ref} `,
      title: 'Location avec option d’achat — Peugeot e-208',
      clientEmail: email.toUpperCase(),
      clientName: 'Léa Moreau',
      space: space.id,
      template: lease.id,
      'fact-financing': 'lease',
      'fact-downPayment': '18 000',
    });
    expect(res.statusCode).toBe(303);
    const kase = await db.selectFrom('cases').selectAll().where('number', '=', ref).executeTakeFirstOrThrow();
    expect(res.headers.location).toContain(`/back-office/dossiers/${kase.id}`);
    expect(kase.facts).toEqual({ financing: 'lease', downPayment: 18000 });
    expect(kase.collection_started_at).not.toBeNull();
    const client = await db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    expect(client).toMatchObject({ kind: 'client', full_name: 'Léa Moreau', password_hash: null });
    expect(kase.client_account_id).toBe(client.id);
    expect(
      await db
        .selectFrom('space_clients')
        .selectAll()
        .where('account_id', '=', client.id)
        .where('space_id', '=', space.id)
        .executeTakeFirst(),
    ).toBeDefined();
    const entry = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'case.open')
      .where('subject_id', '=', kase.id)
      .executeTakeFirstOrThrow();
    expect(entry.details).toMatchObject({ number: ref, clientCreated: true });
    const page = await browser.get(res.headers.location as string);
    expect(page.body).toContain(`Le dossier ${ref} est ouvert`);

    // The collection workflow runs for it (the same path as every case: openCase).
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const description = await new Client({ connection }).workflow
        .getHandle(documentCollectionWorkflowId(kase.id))
        .describe();
      expect(description.status.name).toBe('RUNNING');
    } finally {
      await connection.close();
    }

    // The same number again (another case, another space): refused, nothing stored.
    const other = await createSpace(db, 'Autre');
    const again = await browser.post('/back-office/dossiers/nouveau', {
      number: ref.toLowerCase(),
      title: 'Doublon',
      clientEmail: email,
      clientName: '',
      space: other.id,
      template: lease.id,
    });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain(`Le dossier ${ref.toLowerCase()} existe déjà`);
    expect(again.body).toContain('value="Doublon"');
    expect(await casesNumbered(ref)).toBe(1);
    expect(await casesOf(client.id)).toBe(1);
  });

  it('opens a case for an existing client, who sees it in their space', async () => {
    const { account, password } = await createClient(db, { space, name: 'Claire Martin' });
    const browser = await staff();
    const ref = `EKIP-${Math.floor(Math.random() * 1e8)}`;
    const res = await browser.post('/back-office/dossiers/nouveau', {
      number: ref,
      title: 'Crédit auto',
      clientEmail: account.email,
      clientName: '',
      space: space.id,
      template: lease.id,
    });
    expect(res.statusCode).toBe(303);
    const kase = await db.selectFrom('cases').selectAll().where('number', '=', ref).executeTakeFirstOrThrow();
    expect(kase.client_account_id).toBe(account.id);
    expect(kase.facts).toEqual({});
    const client = new Browser(system.app!);
    expect((await client.login(account.email, password)).statusCode).toBe(303);
    const list = await client.get('/dossiers');
    expect(list.body).toContain(ref);
    expect((await client.get(`/dossiers/${kase.id}`)).statusCode).toBe(200);
  });

  it('refuses bad input in French and in English, storing nothing', async () => {
    const email = uniqueEmail('bad');
    const fields = {
      number: 'TELEFI 2026',
      title: '',
      clientEmail: email,
      clientName: '',
      space: 'nope',
      template: lease.id,
      'fact-downPayment': 'beaucoup',
    };
    const fr = await (await staff()).post('/back-office/dossiers/nouveau', fields);
    expect(fr.statusCode).toBe(400);
    for (const message of [
      'Le n° de dossier ne peut contenir',
      'Merci d’indiquer l’intitulé',
      'Aucun client n’a cet e-mail',
      'Merci de choisir un espace',
      '« Montant de l’apport (€) » doit être un montant positif',
    ]) {
      expect(fr.body).toContain(message);
    }
    const en = await (
      await staff({ locale: 'en' })
    ).post('/back-office/dossiers/nouveau', { ...fields, number: '', clientEmail: 'not-an-email' });
    expect(en.statusCode).toBe(400);
    for (const message of [
      'Please give the case number.',
      'Please give a valid e-mail address for the client.',
      '“Down payment (€)” must be a positive amount',
    ])
      expect(en.body).toContain(message);
    expect(await casesNumbered('TELEFI 2026')).toBe(0);
    expect(await db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirst()).toBeUndefined();
  });

  it('keeps clients out of the form', async () => {
    const { account, password } = await createClient(db, { space });
    const client = new Browser(system.app!);
    expect((await client.login(account.email, password)).statusCode).toBe(303);
    const get = await client.get('/back-office/dossiers/nouveau');
    expect(get.statusCode).toBe(302);
    expect(get.headers.location).toBe('/back-office/connexion');
    const ref = number();
    const token = /name="_csrf" value="([^"]+)"/.exec((await client.get('/dossiers')).body)?.[1] ?? null;
    const post = await client.post(
      '/back-office/dossiers/nouveau',
      { number: ref, title: 'x', clientEmail: account.email, space: space.id, template: lease.id },
      { csrf: token },
    );
    expect([302, 403]).toContain(post.statusCode);
    expect(await casesNumbered(ref)).toBe(0);
    expect(await casesOf(account.id)).toBe(0);
  });
});

/** The editor's form fields, as the page posts them. */
function fields(form: ProcedureForm, action = 'save'): Record<string, string> {
  const out: Record<string, string> = { reminderDays: form.reminderDays, reminderEvery: form.reminderEvery, action };
  form.categories.forEach((c, i) => {
    const k = `c${i}`;
    Object.assign(out, {
      [`${k}-id`]: c.id,
      [`${k}-label`]: c.label,
      [`${k}-labelEn`]: c.labelEn,
      [`${k}-acceptsFr`]: c.acceptsFr,
      [`${k}-acceptsEn`]: c.acceptsEn,
      [`${k}-refusalsFr`]: c.refusalsFr,
      [`${k}-refusalsEn`]: c.refusalsEn,
      ...(c.remove ? { [`${k}-remove`]: '1' } : {}),
    });
    c.pieces.forEach((p, j) => {
      Object.assign(
        out,
        pieceFields(`${k}-p${j}`, p),
        { [`${k}-p${j}-code`]: p.code },
        p.remove ? { [`${k}-p${j}-remove`]: '1' } : {},
      );
    });
    Object.assign(out, pieceFields(`${k}-new`, c.newPiece));
  });
  const n = form.newCategory;
  Object.assign(
    out,
    {
      'new-label': n.label,
      'new-labelEn': n.labelEn,
      'new-acceptsFr': n.acceptsFr,
      'new-acceptsEn': n.acceptsEn,
      'new-refusalsFr': n.refusalsFr,
      'new-refusalsEn': n.refusalsEn,
    },
    pieceFields('new-p', n.piece),
  );
  return out;
}

function pieceFields(prefix: string, p: PieceForm): Record<string, string> {
  const out: Record<string, string> = {
    [`${prefix}-labelFr`]: p.labelFr,
    [`${prefix}-labelEn`]: p.labelEn,
    [`${prefix}-role`]: p.role,
    [`${prefix}-rule`]: p.rule,
  };
  p.conditions.forEach((w, m) =>
    Object.assign(out, {
      [`${prefix}-w${m}-fact`]: w.fact,
      [`${prefix}-w${m}-op`]: w.op,
      [`${prefix}-w${m}-value`]: w.value,
    }),
  );
  return out;
}

async function storedForm(template: DocumentTemplate): Promise<ProcedureForm> {
  const fresh = await db
    .selectFrom('document_templates')
    .selectAll()
    .where('id', '=', template.id)
    .executeTakeFirstOrThrow();
  return procedureFormOf(
    await templateCategories(db, template.id),
    fresh,
    await documentCountByCategory(db, template.id),
  );
}

describe('the procedure editor', () => {
  it('lets administrators only in', async () => {
    expect((await (await staff()).get('/back-office/procedures')).statusCode).toBe(403);
    const admin = await staff({ admin: true });
    const list = await admin.get('/back-office/procedures');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(`/back-office/procedures/${lease.id}`);
    const rental = await cloneTemplate(db, 'demande-location');
    const url = `/back-office/procedures/${rental.id}`;
    expect((await admin.get(url)).statusCode).toBe(200);
    const agent = await staff();
    const before = await storedForm(rental);
    const form = await storedForm(rental);
    form.categories[0]!.label = 'Piratée';
    const refused = await agent.post(url, fields(form), { formUrl: '/back-office/dossiers' });
    expect(refused.statusCode).toBe(403);
    expect(await storedForm(rental)).toEqual(before);
  });

  it('saves labels, help, reasons, pieces, order and cadence; open cases follow', async () => {
    const rental = await cloneTemplate(db, 'demande-location');
    const { account, password } = await createClient(db, { space });
    const kase = await makeCase(db, { space, client: account, template: rental });
    const admin = await staff({ admin: true });
    const url = `/back-office/procedures/${rental.id}`;
    const form = await storedForm(rental);
    const first = form.categories[0]!;
    first.label = 'Pièce d’identité';
    first.labelEn = 'ID document';
    first.acceptsFr = 'Carte nationale d’identité\nPasseport';
    first.acceptsEn = 'National ID card\nPassport';
    first.refusalsFr = `${first.refusalsFr}\nPhoto floue`;
    first.refusalsEn = `${first.refusalsEn}\nBlurred photo`;
    first.pieces[0]!.rule = 'optional';
    form.reminderDays = '2, 5, 10';
    form.reminderEvery = '7';
    const saved = await admin.post(url, fields(form));
    expect(saved.statusCode).toBe(303);
    const categories = await templateCategories(db, rental.id);
    expect(categories[0]).toMatchObject({
      label: 'Pièce d’identité',
      label_en: 'ID document',
      accepts: [
        { fr: 'Carte nationale d’identité', en: 'National ID card' },
        { fr: 'Passeport', en: 'Passport' },
      ],
    });
    expect(categories[0]!.refusal_reasons.at(-1)).toEqual({
      code: 'photo-floue',
      fr: 'Photo floue',
      en: 'Blurred photo',
    });
    expect(categories[0]!.pieces[0]!.rule).toEqual({ kind: 'optional' });
    const template = await db
      .selectFrom('document_templates')
      .selectAll()
      .where('id', '=', rental.id)
      .executeTakeFirstOrThrow();
    expect(template.reminder_days).toEqual([2, 5, 10]);
    expect(template.reminder_every_days).toBe(7);

    // Moving the second category up.
    const moved = await admin.post(url, fields(await storedForm(rental), 'down:0'));
    expect(moved.statusCode).toBe(303);
    const reordered = await templateCategories(db, rental.id);
    expect(reordered.map((c) => c.id).slice(0, 2)).toEqual([categories[1]!.id, categories[0]!.id]);

    const client = new Browser(system.app!);
    expect((await client.login(account.email, password)).statusCode).toBe(303);
    const page = await client.get(`/dossiers/${kase.id}`);
    expect(page.body).toContain('Pièce d’identité');
    expect(page.body).toContain('Passeport');
  });

  it('refuses bank statements in a property-management template and deleting a category with documents, saving nothing', async () => {
    const rental = await cloneTemplate(db, 'demande-location');
    const admin = await staff({ admin: true });
    const url = `/back-office/procedures/${rental.id}`;
    const before = await storedForm(rental);
    const form = await storedForm(rental);
    const income = form.categories.find((c) => c.label === 'Ressources')!;
    income.acceptsFr = `${income.acceptsFr}\nTrois derniers relevés de compte`;
    income.acceptsEn = `${income.acceptsEn}\nLast three bank statements`;
    form.categories[0]!.label = 'Identité (modifiée)';
    form.reminderDays = '1, 3';
    const refused = await admin.post(url, fields(form));
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(
      '« Ressources » : une agence de gestion locative ne peut pas demander de relevés de compte',
    );
    expect(refused.body).toContain('Identité (modifiée)');
    expect(await storedForm(rental)).toEqual(before);

    const { account } = await createClient(db, { space });
    const kase = await makeCase(db, { space, client: account, template: rental });
    const identity = before.categories[0]!;
    await insertDocuments(db, [
      {
        caseId: kase.id,
        categoryId: identity.id,
        fileName: 'cni.pdf',
        contentType: 'application/pdf',
        sizeBytes: 10,
        sha256: 'x'.repeat(64),
        storageKey: `test/${kase.id}/cni.pdf`,
        pageCount: 1,
        source: 'upload',
        depositedBy: account.id,
      },
    ]);
    const withDocs = await storedForm(rental);
    const removal = await storedForm(rental);
    removal.categories[0]!.remove = true;
    removal.categories[1]!.label = 'Domicile (modifié)';
    const refusedRemoval = await admin.post(url, fields(removal));
    expect(refusedRemoval.statusCode).toBe(400);
    expect(refusedRemoval.body).toContain('contient des documents déposés : elle ne peut pas être supprimée');
    expect(await storedForm(rental)).toEqual(withDocs);
  });

  it('adds pieces and a category, edits a conditional rule, and refuses an incomplete one, saving nothing', async () => {
    const tpl = await cloneTemplate(db, 'credit-bail-vehicule');
    const admin = await staff({ admin: true });
    const url = `/back-office/procedures/${tpl.id}`;
    const before = await storedForm(tpl);

    // A condition without its value, a new category without a refusal reason: refused, as typed.
    const bad = await storedForm(tpl);
    const downPayment = bad.categories.flatMap((c) => c.pieces).find((p) => p.rule === 'conditional')!;
    downPayment.conditions = [
      { fact: 'financing', op: 'eq', value: 'lease' },
      { fact: 'downPayment', op: 'gte', value: 'beaucoup' },
    ];
    bad.newCategory = {
      label: 'Assurance',
      labelEn: 'Insurance',
      acceptsFr: '',
      acceptsEn: '',
      refusalsFr: '',
      refusalsEn: '',
      piece: { labelFr: 'Attestation', labelEn: 'Certificate', role: 'emprunteur', rule: 'required', conditions: [] },
    };
    const refused = await admin.post(url, fields(bad));
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('une condition est incomplète');
    expect(refused.body).toContain(
      'Nouvelle catégorie : indiquez ses libellés français et anglais, au moins un motif de refus et une pièce.',
    );
    expect(refused.body).toContain('value="beaucoup"');
    expect(await storedForm(tpl)).toEqual(before);

    // Done right: a threshold of 20 000 €, a piece added to the first category, a new category.
    const form = await storedForm(tpl);
    const rule = form.categories.flatMap((c) => c.pieces).find((p) => p.rule === 'conditional')!;
    rule.conditions = rule.conditions.map((w) => (w.fact === 'downPayment' ? { ...w, value: '20 000' } : w));
    const role = tpl.roles[0]!.code;
    form.categories[0]!.newPiece = {
      labelFr: 'Titre de séjour',
      labelEn: 'Residence permit',
      role,
      rule: 'optional',
      conditions: [],
    };
    form.newCategory = {
      label: 'Assurance',
      labelEn: 'Insurance',
      acceptsFr: 'Attestation d’assurance du véhicule',
      acceptsEn: 'Vehicle insurance certificate',
      refusalsFr: 'Attestation expirée',
      refusalsEn: 'Expired certificate',
      piece: {
        labelFr: 'Attestation d’assurance',
        labelEn: 'Insurance certificate',
        role,
        rule: 'conditional',
        conditions: [{ fact: 'financing', op: 'eq', value: 'lease' }],
      },
    };
    const saved = await admin.post(url, fields(form));
    expect(saved.statusCode).toBe(303);
    const categories = await templateCategories(db, tpl.id);
    const stored = categories.flatMap((c) => c.pieces).find((p) => p.code === rule.code)!;
    expect(stored.rule).toEqual({
      kind: 'requiredWhen',
      all: [
        { fact: 'financing', op: 'eq', value: 'lease' },
        { fact: 'downPayment', op: 'gte', value: 20000 },
      ],
    });
    expect(categories[0]!.pieces.at(-1)).toEqual({
      code: 'titre-de-sejour',
      label: { fr: 'Titre de séjour', en: 'Residence permit' },
      role,
      rule: { kind: 'optional' },
    });
    const added = categories.at(-1)!;
    expect(added).toMatchObject({
      code: 'assurance',
      label: 'Assurance',
      label_en: 'Insurance',
      position: categories.length - 1,
    });
    expect(added.refusal_reasons).toEqual([
      { code: 'attestation-expiree', fr: 'Attestation expirée', en: 'Expired certificate' },
    ]);
    expect(added.pieces).toEqual([
      {
        code: 'attestation-d-assurance',
        label: { fr: 'Attestation d’assurance', en: 'Insurance certificate' },
        role,
        rule: { kind: 'requiredWhen', all: [{ fact: 'financing', op: 'eq', value: 'lease' }] },
      },
    ]);

    // A lease case with 16 000 € down no longer needs the proof; one with 25 000 € does.
    const { account } = await createClient(db, { space });
    const small = await makeCase(db, {
      space,
      client: account,
      template: tpl,
      facts: { financing: 'lease', downPayment: 16000 },
    });
    const big = await makeCase(db, {
      space,
      client: account,
      template: tpl,
      facts: { financing: 'lease', downPayment: 25000 },
    });
    const staffView = async (id: string) => (await admin.get(`/back-office/dossiers/${id}`)).body;
    expect(await staffView(big.id)).toContain(stored.label.fr);
    expect(await staffView(small.id)).not.toContain(stored.label.fr);
    expect(await staffView(big.id)).toContain('Attestation d’assurance');
  });

  it('tells the open cases of a template of a new cadence at once', async () => {
    const tpl = await cloneTemplate(db, 'demande-location');
    const browser = await staff({ admin: true });
    const ref = number();
    const { account } = await createClient(db, { space });
    const opened = await browser.post('/back-office/dossiers/nouveau', {
      number: ref,
      title: 'Location',
      clientEmail: account.email,
      clientName: '',
      space: space.id,
      template: tpl.id,
    });
    expect(opened.statusCode).toBe(303);
    const kase = await db.selectFrom('cases').selectAll().where('number', '=', ref).executeTakeFirstOrThrow();
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    try {
      const handle = new Client({ connection }).workflow.getHandle(documentCollectionWorkflowId(kase.id));
      const started = kase.collection_started_at!.getTime();
      const DAY = 86_400_000;
      await expect
        .poll(async () => (await handle.query(collectionStateQuery)).nextReminderAt, { timeout: 20_000 })
        .toBe(started + tpl.reminder_days[0]! * DAY);
      const form = await storedForm(tpl);
      form.reminderDays = '1, 4';
      expect((await browser.post(`/back-office/procedures/${tpl.id}`, fields(form))).statusCode).toBe(303);
      await expect
        .poll(async () => (await handle.query(collectionStateQuery)).nextReminderAt, { timeout: 20_000 })
        .toBe(started + DAY);
    } finally {
      await connection.close();
    }
  });

  it('keeps a refusal reason in use for the documents refused with it, and a piece in use', async () => {
    const rental = await cloneTemplate(db, 'demande-location');
    const admin = await staff({ admin: true });
    const url = `/back-office/procedures/${rental.id}`;
    const { account, password } = await createClient(db, { space });
    const kase = await makeCase(db, { space, client: account, template: rental });
    const first = (await templateCategories(db, rental.id))[0]!;
    const reason = first.refusal_reasons[0]!;
    const piece = first.pieces[0]!;
    const [refusedDoc, validDoc] = await insertDocuments(db, [
      {
        caseId: kase.id,
        categoryId: first.id,
        fileName: 'vieux.pdf',
        contentType: 'application/pdf',
        sizeBytes: 10,
        sha256: 'x'.repeat(64),
        storageKey: `test/${kase.id}/a.pdf`,
        pageCount: 1,
        source: 'upload',
        depositedBy: account.id,
      },
      {
        caseId: kase.id,
        categoryId: first.id,
        fileName: 'bon.pdf',
        contentType: 'application/pdf',
        sizeBytes: 10,
        sha256: 'x'.repeat(64),
        storageKey: `test/${kase.id}/b.pdf`,
        pageCount: 1,
        source: 'upload',
        depositedBy: account.id,
      },
    ]);
    await db
      .updateTable('documents')
      .set({ status: 'rejected', rejection_reason: reason.code, reviewed_at: new Date() })
      .where('id', '=', refusedDoc!.id)
      .execute();
    await db
      .updateTable('documents')
      .set({ status: 'validated', piece_code: piece.code, reviewed_at: new Date() })
      .where('id', '=', validDoc!.id)
      .execute();

    // The piece documents were validated as cannot go.
    const form = await storedForm(rental);
    form.categories[0]!.pieces[0]!.remove = true;
    const refused = await admin.post(url, fields(form));
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(`la pièce « ${piece.label.fr} » a des documents validés`);

    // The reason goes from the list, and stays on the document refused for it.
    const edit = await storedForm(rental);
    const remaining = first.refusal_reasons.slice(1);
    edit.categories[0]!.refusalsFr = [...remaining.map((r) => r.fr), 'Nouveau motif'].join('\n');
    edit.categories[0]!.refusalsEn = [...remaining.map((r) => r.en), 'New reason'].join('\n');
    expect((await admin.post(url, fields(edit))).statusCode).toBe(303);
    const after = (await templateCategories(db, rental.id))[0]!;
    expect(after.refusal_reasons.find((r) => r.code === reason.code)).toEqual({ ...reason, archived: true });
    expect((await storedForm(rental)).categories[0]!.refusalsFr).not.toContain(reason.fr);
    const client = new Browser(system.app!);
    expect((await client.login(account.email, password)).statusCode).toBe(303);
    expect((await client.get(`/dossiers/${kase.id}`)).body).toContain(reason.fr);
    // Not offered to staff any more, and refused if posted.
    const [pending] = await insertDocuments(db, [
      {
        caseId: kase.id,
        categoryId: first.id,
        fileName: 'neuf.pdf',
        contentType: 'application/pdf',
        sizeBytes: 10,
        sha256: 'x'.repeat(64),
        storageKey: `test/${kase.id}/c.pdf`,
        pageCount: 1,
        source: 'upload',
        depositedBy: account.id,
      },
    ]);
    const staffPage = await admin.get(`/back-office/dossiers/${kase.id}`);
    expect(staffPage.body).toContain('Nouveau motif');
    expect(staffPage.body).not.toContain(`value="${reason.code}"`);
    const review = await admin.post(
      `/back-office/dossiers/${kase.id}/documents/${pending!.id}/examen`,
      { decision: 'reject', reason: reason.code, comment: '' },
      { formUrl: `/back-office/dossiers/${kase.id}` },
    );
    expect(review.statusCode).toBe(400);
    expect(
      (await db.selectFrom('documents').select('status').where('id', '=', pending!.id).executeTakeFirstOrThrow())
        .status,
    ).toBe('pending');
  });
});

describe('case numbers', () => {
  it('are unique whatever their case and space, in the database itself', async () => {
    const { account } = await createClient(db, { space });
    const ref = number();
    await makeCase(db, { space, client: account, template: lease, number: ref });
    const other = await createSpace(db, 'Autre espace');
    await expect(
      makeCase(db, { space: other, client: account, template: lease, number: ref.toLowerCase() }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await casesNumbered(ref)).toBe(1);
  });
});
