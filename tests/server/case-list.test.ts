// The back-office case list, its Excel exports, assignment and notepad, through the real routes,
// PostgreSQL and Temporal. Other test files write cases at the same time: every assertion is made
// inside a space of this file's own.
import { randomBytes, randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContact, setContactState } from '../../db/clients.js';
import type { Db } from '../../db/connect.js';
import { createConversation, insertMessage } from '../../db/conversations.js';
import type { Account, Case, DocumentTemplate, Space } from '../../db/database.js';
import { getSettings } from '../../db/settings.js';
import type { RunningSystem } from '../../runtime/system.js';
import { rowsChoice } from '../../server/features/cases/list/forms.js';
import { cloneTemplate, makeCase } from '../helpers/documents.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let db: Db;
let lease: DocumentTemplate;

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
  lease = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
});
afterAll(async () => {
  await system?.stop();
});

async function staff(
  options: { locale?: 'fr' | 'en'; name?: string } = {},
): Promise<{ browser: Browser; account: Account }> {
  // Every space made so far: each test makes its spaces before its staff member.
  const { account, password } = await createStaff(db, { name: options.name ?? 'Julien Bernard', spaces: 'all' });
  if (options.locale)
    await db.updateTable('accounts').set({ locale: options.locale }).where('id', '=', account.id).execute();
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password, 'staff')).statusCode).toBe(303);
  return { browser, account };
}

const tag = () => randomBytes(3).toString('hex').toUpperCase();

/** The case ids listed on a page, in order. */
function listedIds(body: string): string[] {
  return [...body.matchAll(/<td data-label="[^"]*"><a href="\/back-office\/dossiers\/([0-9a-f-]{36})">/g)].map(
    (m) => m[1]!,
  );
}

async function caseIn(
  space: Space,
  client: Account,
  values: { number?: string; title?: string; summary?: string; minutesAgo?: number } = {},
): Promise<Case> {
  const kase = await makeCase(db, {
    space,
    client,
    template: lease,
    number: values.number ?? `TELEFI-${tag()}-${tag()}`,
  });
  return db
    .updateTable('cases')
    .set({
      title: values.title ?? kase.title,
      summary: values.summary ?? '',
      created_at: new Date(Date.now() - (values.minutesAgo ?? 0) * 60_000),
    })
    .where('id', '=', kase.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

describe('searching the case list', () => {
  it('needs every term to be found in the number, title, client name, e-mail or summary, whatever the accents and capitals', async () => {
    const space = await createSpace(db, 'Crédit immobilier');
    const elise = (await createClient(db, { space, name: 'Élise Fontaine-Noël' })).account;
    const marc = (await createClient(db, { space, name: 'Marc Pétit' })).account;
    const ref = tag();
    const loan = await caseIn(space, elise, {
      number: `EKIP-${ref}-01`,
      title: 'Prêt à taux zéro — Créteil',
      minutesAgo: 3,
    });
    const lease2 = await caseIn(space, marc, {
      number: `EKIP-${ref}-02`,
      title: 'Crédit-bail Peugeot',
      summary: 'Apport versé, garant Œuvre sociale',
      minutesAgo: 2,
    });
    const other = await caseIn(space, marc, {
      number: `TELEFI-${ref}-03`,
      title: 'Location longue durée',
      minutesAgo: 1,
    });
    const { browser } = await staff();
    const search = async (q: string) =>
      browser.get(`/back-office/dossiers?espace=${space.id}&q=${encodeURIComponent(q)}`);

    // Two terms in two fields (client name and number), without accents or capitals.
    const both = await search(`ELISE ekip-${ref.toLowerCase()}`);
    expect(both.statusCode).toBe(302);
    expect(both.headers.location).toBe(`/back-office/dossiers/${loan.id}`);
    // Accents typed where there are none, and none where there are: "pret", "créteil" / "creteil".
    expect((await search('pret creteil')).headers.location).toBe(`/back-office/dossiers/${loan.id}`);
    expect((await search('PRÊT CRÉTEIL')).headers.location).toBe(`/back-office/dossiers/${loan.id}`);
    // The summary (with a ligature) and the e-mail are searched too.
    expect((await search('oeuvre sociale')).headers.location).toBe(`/back-office/dossiers/${lease2.id}`);
    expect((await search(elise.email.toUpperCase())).headers.location).toBe(`/back-office/dossiers/${loan.id}`);
    // Every term must match: one that matches nothing leaves nothing.
    const none = await search(`ekip-${ref} introuvable`);
    expect(none.statusCode).toBe(404);
    expect(none.body).toContain('Affaire non trouvée');
    // Several matches: listed newest first, with their columns.
    const many = await search(`${ref} petit`);
    expect(many.statusCode).toBe(200);
    expect(listedIds(many.body)).toEqual([other.id, lease2.id]);
    expect(many.body).toContain('Marc Pétit');
    expect(many.body).toContain('Crédit immobilier');
    expect(many.body).toContain('Non attribué');
    expect(many.body).toContain('Collecte en cours');
    expect(many.body).toContain('Payé');
    // "%" and "_" are letters here, not wildcards.
    expect((await search('%')).statusCode).toBe(404);
  });

  it('filters by space, state, payment and assignee (including unassigned)', async () => {
    const space = await createSpace(db, 'Gestion locative Lyon');
    const client = (await createClient(db, { space, name: 'Paul Girard' })).account;
    const { browser, account: me } = await staff({ name: 'Inès Faure' });
    const open = await caseIn(space, client, { minutesAgo: 4 });
    const closed = await caseIn(space, client, { minutesAgo: 3 });
    const unpaid = await caseIn(space, client, { minutesAgo: 2 });
    const mine = await caseIn(space, client, { minutesAgo: 1 });
    await db.updateTable('cases').set({ status: 'closed' }).where('id', '=', closed.id).execute();
    await db
      .updateTable('cases')
      .set({ payment_state: 'unpaid', payment_amount_cents: 125_050 })
      .where('id', '=', unpaid.id)
      .execute();
    await db.updateTable('cases').set({ assignee_account_id: me.id }).where('id', '=', mine.id).execute();
    const list = async (params: string) =>
      listedIds((await browser.get(`/back-office/dossiers?espace=${space.id}&${params}`)).body);

    expect(await list('')).toEqual([mine.id, unpaid.id, closed.id, open.id]);
    expect(await list('etat=closed')).toEqual([closed.id]);
    expect(await list('etat=open')).toEqual([mine.id, unpaid.id, open.id]);
    expect(await list('paiement=unpaid')).toEqual([unpaid.id]);
    expect(await list('paiement=paid&etat=open')).toEqual([mine.id, open.id]);
    expect(await list(`attribue=${me.id}`)).toEqual([mine.id]);
    expect(await list('attribue=none')).toEqual([unpaid.id, closed.id, open.id]);
    // Values that are not ours are ignored rather than failing.
    expect(await list('etat=perdu&paiement=peut-etre&attribue=pas-un-id')).toHaveLength(4);
    const page = await browser.get(`/back-office/dossiers?espace=${space.id}&paiement=unpaid`);
    expect(page.body).toContain('Impayé');
    expect(page.body).toMatch(/1[\s\u202f]250,50/);
    expect(page.body).toContain('Inès Faure');
    // The export link carries the same filters.
    expect(page.body).toContain(`href="/back-office/exports/dossiers.xlsx?espace=${space.id}&amp;paiement=unpaid"`);
  });

  it('is for staff only', async () => {
    const space = await createSpace(db);
    const { account, password } = await createClient(db, { space });
    const client = new Browser(system.app!);
    await client.login(account.email, password);
    for (const url of [
      '/back-office/dossiers',
      '/back-office/exports/dossiers.xlsx',
      '/back-office/exports/contacts.xlsx',
      '/back-office/exports/messages.xlsx',
    ]) {
      const res = await client.get(url);
      expect(res.statusCode).toBe(302);
      expect(res.headers.location).toBe('/back-office/connexion');
    }
  });
});

describe('rows per page', () => {
  it('accepts 10 to 350 only', () => {
    expect(rowsChoice('10', 25)).toEqual({ ok: true, rows: 10 });
    expect(rowsChoice('350', 25)).toEqual({ ok: true, rows: 350 });
    expect(rowsChoice('9', 25)).toEqual({ ok: false, rows: 10, asked: '9' });
    expect(rowsChoice('351', 25)).toEqual({ ok: false, rows: 350, asked: '351' });
    expect(rowsChoice('douze', 40)).toEqual({ ok: false, rows: 40, asked: 'douze' });
    expect(rowsChoice('-5', 40)).toEqual({ ok: false, rows: 40, asked: '-5' });
  });

  it('starts at the settings’ default, remembers each staff member’s choice, refuses 9 and 351 with a message', async () => {
    const space = await createSpace(db, 'Pagination');
    const client = (await createClient(db, { space })).account;
    await db
      .insertInto('cases')
      .values(
        Array.from({ length: 30 }, (_, i) => ({
          space_id: space.id,
          template_id: lease.id,
          client_account_id: client.id,
          number: `PAGE-${tag()}-${String(i).padStart(2, '0')}`,
          title: `Dossier ${i}`,
          facts: '{}',
          collection_started_at: new Date(),
          created_at: new Date(Date.now() - (30 - i) * 60_000),
        })),
      )
      .execute();
    const { browser, account } = await staff();
    const url = `/back-office/dossiers?espace=${space.id}`;

    const first = await browser.get(url);
    const defaultRows = Number(/id="lignes"[^>]*value="(\d+)"/.exec(first.body)?.[1]);
    // Another test file may be saving the settings meanwhile: the default is whatever they say now (25 unless changed).
    expect([25, (await getSettings(db)).rowsPerPage]).toContain(defaultRows);
    expect(listedIds(first.body)).toHaveLength(Math.min(30, defaultRows));

    const ten = await browser.get(`${url}&lignes=10`);
    expect(ten.statusCode).toBe(200);
    expect(listedIds(ten.body)).toHaveLength(10);
    expect(ten.body).toContain('Dossiers 1 à 10 sur 30');
    expect(
      (await db.selectFrom('accounts').select('rows_per_page').where('id', '=', account.id).executeTakeFirstOrThrow())
        .rows_per_page,
    ).toBe(10);
    // Remembered: the next visit without the parameter shows 10, and page 3 the last 10.
    const third = await browser.get(`${url}&page=3`);
    expect(listedIds(third.body)).toHaveLength(10);
    expect(third.body).toContain('Page 3 sur 3');
    expect(third.body).toContain('rel="prev"');
    expect(third.body).not.toContain('rel="next"');
    // A page past the end shows the last one.
    expect((await browser.get(`${url}&page=99`)).body).toContain('Page 3 sur 3');

    const nine = await browser.get(`${url}&lignes=9`);
    expect(nine.statusCode).toBe(400);
    expect(nine.body).toContain('« 9 » lignes par page n’est pas possible : choisissez un nombre de 10 à 350.');
    expect(listedIds(nine.body)).toHaveLength(10);
    const tooMany = await browser.get(`${url}&lignes=351`);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.body).toContain('« 351 » lignes par page n’est pas possible');
    expect(listedIds(tooMany.body)).toHaveLength(30);
    // Neither refused value was kept.
    expect(
      (await db.selectFrom('accounts').select('rows_per_page').where('id', '=', account.id).executeTakeFirstOrThrow())
        .rows_per_page,
    ).toBe(10);

    // In English, for a staff member who reads English.
    const english = await staff({ locale: 'en' });
    const refused = await english.browser.get(`${url}&lignes=351`);
    expect(refused.body).toContain('“351” rows per page is not possible: choose a number from 10 to 350.');
    const all = await english.browser.get(`${url}&lignes=350`);
    expect(listedIds(all.body)).toHaveLength(30);
    expect(all.body).toContain('30 cases');
  });
});

async function workbook(body: Buffer): Promise<ExcelJS.Worksheet> {
  const book = new ExcelJS.Workbook();
  // exceljs types its input as an ArrayBuffer: a copy of the bytes is one, no cast needed.
  await book.xlsx.load(new Uint8Array(body).buffer);
  const sheet = book.worksheets[0];
  if (!sheet) throw new Error('no sheet');
  return sheet;
}

function sheetRows(sheet: ExcelJS.Worksheet): string[][] {
  const rows: string[][] = [];
  sheet.eachRow((row) => {
    const values = (row.values as ExcelJS.CellValue[]).slice(1);
    rows.push(
      values.map((v) =>
        v instanceof Date ? v.toISOString() : v === null || v === undefined ? '' : String(v as string | number),
      ),
    );
  });
  // Empty cells at the end of a row are not stored: pad every row to the header's width.
  const width = rows[0]?.length ?? 0;
  return rows.map((r) => [...r, ...Array.from({ length: Math.max(0, width - r.length) }, () => '')]);
}

describe('Excel exports', () => {
  it('exports the cases of the current search and filters, and audits it', async () => {
    const space = await createSpace(db, 'Export');
    const client = (await createClient(db, { space, name: 'Zoé Lambert' })).account;
    const { browser, account } = await staff({ name: 'Hugo Marchand' });
    const ref = tag();
    const a = await caseIn(space, client, { number: `EXP-${ref}-A`, title: 'Crédit renouvelable', minutesAgo: 2 });
    const b = await caseIn(space, client, {
      number: `EXP-${ref}-B`,
      title: '=HYPERLINK("http://evil")',
      minutesAgo: 1,
    });
    await caseIn(space, client, { number: `EXP-${ref}-C`, title: 'Clos', minutesAgo: 3 });
    await db
      .updateTable('cases')
      .set({ payment_state: 'unpaid', payment_amount_cents: 99_999, assignee_account_id: account.id })
      .where('id', 'in', [a.id, b.id])
      .execute();

    const res = await browser.get(`/back-office/exports/dossiers.xlsx?espace=${space.id}&paiement=unpaid`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="dossiers-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    const sheet = await workbook(res.rawPayload);
    expect(sheet.name).toBe('Dossiers');
    const rows = sheetRows(sheet);
    expect(rows[0]).toEqual([
      'N° de dossier',
      'Intitulé',
      'Client',
      'E-mail du client',
      'Espace',
      'État',
      'Paiement',
      'Montant (€)',
      'Attribué à',
      'Créé le',
    ]);
    expect(rows.slice(1).map((r) => r[0])).toEqual([`EXP-${ref}-B`, `EXP-${ref}-A`]);
    expect(rows[2]!.slice(1, 9)).toEqual([
      'Crédit renouvelable',
      'Zoé Lambert',
      client.email,
      'Export',
      'Collecte en cours',
      'Impayé',
      '999.99',
      'Hugo Marchand',
    ]);
    // A title that looks like a formula stays text.
    expect(sheet.getCell('B2').type).toBe(ExcelJS.ValueType.String);
    expect(sheet.getCell('J2').type).toBe(ExcelJS.ValueType.Date);

    const entry = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('actor_account_id', '=', account.id)
      .where('action', '=', 'export.cases')
      .executeTakeFirstOrThrow();
    expect(entry.details).toEqual({ filters: { espace: space.id, paiement: 'unpaid' } });
  });

  it('exports the clients’ contacts, one row per contact', async () => {
    const space = await createSpace(db, 'Contacts');
    const name = `Nadia Contact ${tag()}`;
    const client = (await createClient(db, { space, name })).account;
    const phone = await addContact(db, client.id, 'phone', '06 12 34 56 78');
    await setContactState(db, client.id, phone, 'default');
    await addContact(db, client.id, 'postal', '3 rue des Lilas, 69003 Lyon');
    const alone = (await createClient(db, { space, name: `Sans Contact ${tag()}` })).account;
    const { browser, account } = await staff();
    expect((await browser.get('/back-office/clients')).body).toContain('href="/back-office/exports/contacts.xlsx"');
    const res = await browser.get('/back-office/exports/contacts.xlsx');
    expect(res.statusCode).toBe(200);
    const rows = sheetRows(await workbook(res.rawPayload));
    expect(rows[0]).toEqual([
      'Client',
      'E-mail du client',
      'Espaces',
      'Type de contact',
      'Coordonnée',
      'État du contact',
      'Observation',
    ]);
    const mine = rows.filter((r) => r[0] === name);
    expect(mine).toHaveLength(2);
    expect(mine).toContainEqual([
      name,
      client.email,
      'Contacts',
      'Téléphone',
      '06 12 34 56 78',
      'Validé, par défaut',
      '',
    ]);
    expect(mine).toContainEqual([
      name,
      client.email,
      'Contacts',
      'Adresse postale',
      '3 rue des Lilas, 69003 Lyon',
      'À qualifier',
      '',
    ]);
    expect(rows.filter((r) => r[1] === alone.email)).toEqual([
      [alone.full_name, alone.email, 'Contacts', '', '', '', ''],
    ]);
    expect(
      await db
        .selectFrom('audit_log')
        .select('id')
        .where('actor_account_id', '=', account.id)
        .where('action', '=', 'export.contacts')
        .execute(),
    ).toHaveLength(1);
  });

  it('exports the conversations’ messages, never the notepad', async () => {
    const space = await createSpace(db, 'Messages');
    const { account: client } = await createClient(db, { space, name: 'Léon Caron' });
    const conversationId = randomUUID();
    const subject = `Chauffage ${tag()}`;
    await createConversation(db, {
      id: conversationId,
      spaceId: space.id,
      clientAccountId: client.id,
      subject,
      cc: '',
    });
    await insertMessage(db, {
      id: randomUUID(),
      conversationId,
      authorKind: 'client',
      authorAccountId: client.id,
      authorDisplayName: 'Léon Caron',
      body: 'Le chauffage ne marche plus.\u0007',
    });
    await insertMessage(db, {
      id: randomUUID(),
      conversationId,
      authorKind: 'staff',
      authorAccountId: null,
      authorDisplayName: 'Agence',
      body: 'Un technicien passe demain.',
    });
    const kase = await caseIn(space, client);
    const { browser, account } = await staff();
    const secret = `Note interne ${tag()} : client difficile`;
    expect(
      (
        await browser.post(
          `/back-office/dossiers/${kase.id}/bloc-notes`,
          { note: secret },
          { formUrl: `/back-office/dossiers/${kase.id}` },
        )
      ).statusCode,
    ).toBe(303);

    expect((await browser.get('/back-office')).body).toContain('href="/back-office/exports/messages.xlsx"');
    const res = await browser.get('/back-office/exports/messages.xlsx');
    expect(res.statusCode).toBe(200);
    const rows = sheetRows(await workbook(res.rawPayload));
    expect(rows[0]).toEqual([
      'Date',
      'Espace',
      'Conversation',
      'Client',
      'E-mail du client',
      'Auteur (type)',
      'Auteur',
      'Message',
      'État du message',
    ]);
    const mine = rows.filter((r) => r[2] === subject);
    // The control character a message held is dropped (XML cannot carry it).
    expect(mine.map((r) => r.slice(1))).toEqual([
      [
        'Messages',
        subject,
        'Léon Caron',
        client.email,
        'Client',
        'Léon Caron',
        'Le chauffage ne marche plus.',
        'À lire',
      ],
      ['Messages', subject, 'Léon Caron', client.email, 'Équipe', 'Agence', 'Un technicien passe demain.', ''],
    ]);
    expect(rows.flat().some((cell) => cell.includes(secret))).toBe(false);
    expect(
      await db
        .selectFrom('audit_log')
        .select('id')
        .where('actor_account_id', '=', account.id)
        .where('action', '=', 'export.messages')
        .execute(),
    ).toHaveLength(1);
  });
});

describe('assignment and notepad', () => {
  it('assigns a case to a collaborator with an audit entry, refuses an unknown one, and unassigns', async () => {
    const space = await createSpace(db);
    const client = (await createClient(db, { space })).account;
    const kase = await caseIn(space, client);
    const { browser, account: me } = await staff({ name: 'Claire Dubois' });
    const colleague = (await createStaff(db, { name: `Thomas Roux ${tag()}` })).account;
    const page = `/back-office/dossiers/${kase.id}`;

    const detail = await browser.get(page);
    expect(detail.body).toContain('id="attribution"');
    expect(detail.body).toContain(`<option value="${colleague.id}">${colleague.full_name}</option>`);
    const res = await browser.post(`${page}/attribution`, { assignee: colleague.id }, { formUrl: page });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${page}?fait=attribue#attribution`);
    expect(
      (await db.selectFrom('cases').select('assignee_account_id').where('id', '=', kase.id).executeTakeFirstOrThrow())
        .assignee_account_id,
    ).toBe(colleague.id);
    const after = await browser.get(`${page}?fait=attribue`);
    expect(after.body).toContain(`Dossier attribué à ${colleague.full_name}.`);
    expect(after.body).toContain(`<option value="${colleague.id}" selected>`);
    const entry = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('subject_id', '=', kase.id)
      .where('action', '=', 'case.assign')
      .executeTakeFirstOrThrow();
    expect(entry.actor_account_id).toBe(me.id);
    expect(entry.details).toEqual({ from: null, to: colleague.id });

    // Someone who is not a collaborator: nothing changes, and the page says why.
    const { account: notStaff } = await createClient(db, { space });
    const refused = await browser.post(`${page}/attribution`, { assignee: notStaff.id }, { formUrl: page });
    expect(refused.headers.location).toBe(`${page}?erreur=collaborateur#attribution`);
    expect((await browser.get(refused.headers.location as string)).body).toContain(
      'Ce collaborateur n’existe pas ou n’a plus accès au back-office. Rien n’a été changé.',
    );
    expect(
      (await db.selectFrom('cases').select('assignee_account_id').where('id', '=', kase.id).executeTakeFirstOrThrow())
        .assignee_account_id,
    ).toBe(colleague.id);

    expect((await browser.post(`${page}/attribution`, { assignee: '' }, { formUrl: page })).statusCode).toBe(303);
    expect(
      (await db.selectFrom('cases').select('assignee_account_id').where('id', '=', kase.id).executeTakeFirstOrThrow())
        .assignee_account_id,
    ).toBeNull();
    expect(
      await db
        .selectFrom('audit_log')
        .select('id')
        .where('subject_id', '=', kase.id)
        .where('action', '=', 'case.assign')
        .execute(),
    ).toHaveLength(2);
    // A form without its CSRF token changes nothing.
    expect((await browser.post(`${page}/attribution`, { assignee: colleague.id }, { csrf: null })).statusCode).toBe(
      403,
    );
    expect(
      (await db.selectFrom('cases').select('assignee_account_id').where('id', '=', kase.id).executeTakeFirstOrThrow())
        .assignee_account_id,
    ).toBeNull();
  });

  it('keeps notepad entries for every collaborator, refuses an empty one, and shows none to the client', async () => {
    const space = await createSpace(db);
    const { account: clientAccount, password } = await createClient(db, { space, name: 'Anne Client' });
    const kase = await caseIn(space, clientAccount);
    const page = `/back-office/dossiers/${kase.id}`;
    const { browser: author } = await staff({ name: 'Sophie Laurent' });
    const secret = `Rappeler le garant ${tag()} <b>avant</b> vendredi`;

    const empty = await author.post(`${page}/bloc-notes`, { note: '   ' }, { formUrl: page });
    expect(empty.headers.location).toBe(`${page}?erreur=note-vide#bloc-notes`);
    expect((await author.get(empty.headers.location as string)).body).toContain(
      'La note est vide : écrivez-la avant de l’ajouter. Rien n’a été enregistré.',
    );
    const long = await author.post(`${page}/bloc-notes`, { note: 'x'.repeat(5001) }, { formUrl: page });
    expect(long.headers.location).toBe(`${page}?erreur=note-longue#bloc-notes`);
    expect(await db.selectFrom('case_notes').select('id').where('case_id', '=', kase.id).execute()).toHaveLength(0);

    const added = await author.post(`${page}/bloc-notes`, { note: `${secret}\nDeuxième ligne` }, { formUrl: page });
    expect(added.headers.location).toBe(`${page}?fait=note#bloc-notes`);
    // Another collaborator reads it (escaped, line breaks kept).
    const { browser: colleague } = await staff({ name: 'Marc Colin' });
    const seen = await colleague.get(page);
    expect(seen.body).toContain('Rappeler le garant');
    expect(seen.body).toContain('&lt;b&gt;avant&lt;/b&gt; vendredi<br>Deuxième ligne');
    expect(seen.body).toContain('Sophie Laurent');
    expect(
      await db
        .selectFrom('audit_log')
        .select('id')
        .where('subject_id', '=', kase.id)
        .where('action', '=', 'case.note')
        .execute(),
    ).toHaveLength(1);

    // The client: their case page and every page they can reach never hold it.
    const client = new Browser(system.app!);
    await client.login(clientAccount.email, password);
    const marker = secret.slice(0, 25);
    for (const url of [
      `/dossiers/${kase.id}`,
      '/dossiers',
      '/conversations',
      '/',
      '/api/v1/conversations',
      `/dossiers?q=${encodeURIComponent(kase.number)}`,
    ]) {
      const res = await client.get(url);
      expect(res.statusCode, url).toBeLessThan(500);
      expect(res.body, url).not.toContain(marker);
      expect(res.body, url).not.toContain('bloc-notes');
    }
    // And the client cannot post to the notepad or assign.
    const posted = await client.post(
      `${page}/bloc-notes`,
      { note: 'moi aussi' },
      { csrf: (/name="_csrf" value="([^"]+)"/.exec((await client.get(`/dossiers/${kase.id}`)).body) ?? [])[1] ?? null },
    );
    expect([302, 403]).toContain(posted.statusCode);
    expect(await db.selectFrom('case_notes').select('id').where('case_id', '=', kase.id).execute()).toHaveLength(1);
  });
});
