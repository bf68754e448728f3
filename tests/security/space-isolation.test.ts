// Staff see only their spaces (db/staff-access.ts, request.staffScope): two spaces A and B with
// cases, clients, documents, files, conversations, contributors, SLA clocks and Vilogi triage
// rows; a staff member of A reads B through every back-office list, page, export and action and
// finds nothing of it (404 for B's pages and actions, 0 rows of B in lists and exports); an
// administrator sees both. Against the real database and storage.
import { randomBytes, randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClientFile, addContact } from '../../db/clients.js';
import type { Db } from '../../db/connect.js';
import { createConversation, insertAttachments, insertMessage } from '../../db/conversations.js';
import type { Account, Case, Conversation, Space } from '../../db/database.js';
import { insertDocuments } from '../../db/documents.js';
import { insertCaseFiles } from '../../db/case-record.js';
import type { RunningSystem } from '../../runtime/system.js';
import { categoryId, cloneTemplate, makeCase, makePdf } from '../helpers/documents.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser, csrfToken } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';
import { inspectFile, isRefusal } from '../../app/inspection/index.js';

let system: RunningSystem & { url: string };
let db: Db;
const tag = randomBytes(3).toString('hex');

interface SpaceData {
  space: Space;
  client: Account;
  kase: Case;
  conversation: Conversation;
  /** Ids of the rows under them, by the route parameter that names them. */
  ids: {
    docId: string;
    fileId: string;
    memberId: string;
    messageId: string;
    attachmentId: string;
    clientFileId: string;
    contactId: string;
  };
  marker: string;
}

let A: SpaceData;
let B: SpaceData;
let agentA: Browser;
let admin: Browser;
let uploaderId: string;

async function stored(bytes: Buffer) {
  const file = await inspectFile('piece.pdf', bytes);
  if (isRefusal(file)) throw new Error(`test PDF refused: ${file.reason}`);
  return system.app!.deps.storage.put(file);
}

async function fill(letter: 'A' | 'B'): Promise<SpaceData> {
  const marker = `Iso${letter}${tag}`;
  const space = await createSpace(db, `Espace ${marker}`);
  const template = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
  const { account: client } = await createClient(db, { space, name: `Client ${marker}` });
  const kase = await makeCase(db, { space, client, template, number: `N-${marker}` });
  const pdf = await makePdf(1, marker);
  const doc = await stored(pdf);
  const [document] = await insertDocuments(db, [
    {
      caseId: kase.id,
      categoryId: await categoryId(db, template.id, 'identite'),
      fileName: `doc-${marker}.pdf`,
      contentType: 'application/pdf',
      sizeBytes: doc.sizeBytes,
      sha256: doc.sha256,
      storageKey: doc.key,
      pageCount: 1,
      source: 'upload',
      depositedBy: client.id,
    },
  ]);
  const cf = await stored(pdf);
  const [caseFile] = await insertCaseFiles(db, [
    {
      caseId: kase.id,
      fileName: `dossier-${marker}.pdf`,
      contentType: 'application/pdf',
      sizeBytes: cf.sizeBytes,
      sha256: cf.sha256,
      storageKey: cf.key,
      pageCount: 1,
      uploadedBy: uploaderId,
    },
  ]);
  const { account: contributor } = await createClient(db, { name: `Garant ${marker}` });
  const member = await db
    .insertInto('case_members')
    .values({
      case_id: kase.id,
      account_id: contributor.id,
      kind: 'occasional',
      role: null,
      invited_by: null,
      invited_at: null,
      invitation_expires_at: null,
      accepted_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const conversation = await createConversation(db, {
    id: randomUUID(),
    spaceId: space.id,
    clientAccountId: client.id,
    subject: `Sujet ${marker}`,
    cc: '',
  });
  const messageId = randomUUID();
  await insertMessage(db, {
    id: messageId,
    conversationId: conversation.id,
    authorKind: 'client',
    authorAccountId: client.id,
    authorDisplayName: client.full_name,
    body: `Message ${marker}`,
  });
  const att = await stored(pdf);
  await insertAttachments(db, messageId, [
    {
      fileName: `pj-${marker}.pdf`,
      contentType: 'application/pdf',
      sizeBytes: att.sizeBytes,
      sha256: att.sha256,
      storageKey: att.key,
    },
  ]);
  const attachment = await db
    .selectFrom('attachments')
    .select('id')
    .where('message_id', '=', messageId)
    .executeTakeFirstOrThrow();
  // The answer clock is late: the conversation is on the at-risk list.
  const hour = 3_600_000;
  await db
    .updateTable('conversations')
    .set({
      sla_started_at: new Date(Date.now() - 50 * hour),
      sla_target_at: new Date(Date.now() - 26 * hour),
      sla_max_at: new Date(Date.now() - 2 * hour),
      assignee_redmine_id: letter === 'A' ? 900001 : 900002,
      assignee_name: `Assignee ${marker}`,
    })
    .where('id', '=', conversation.id)
    .execute();
  const clientFileStored = await stored(pdf);
  await addClientFile(db, {
    clientId: client.id,
    fileName: `fiche-${marker}.pdf`,
    contentType: 'application/pdf',
    sizeBytes: clientFileStored.sizeBytes,
    sha256: clientFileStored.sha256,
    storageKey: clientFileStored.key,
    uploadedBy: uploaderId,
  });
  const clientFile = await db
    .selectFrom('client_files')
    .select('id')
    .where('client_account_id', '=', client.id)
    .executeTakeFirstOrThrow();
  const contactId = await addContact(db, client.id, 'phone', '+33 6 00 00 00 0' + (letter === 'A' ? '1' : '2'));
  // A Vilogi triage row attached to this space.
  // Runs are the sync's, not a space's: every staff member sees them (no client data in them).
  const runId = `iso-run-${randomUUID()}`;
  await db
    .insertInto('vilogi_runs')
    .values({
      id: runId,
      trigger: 'manual',
      status: 'done',
      started_at: new Date(),
      finished_at: new Date(),
      errors: JSON.stringify([]),
    })
    .execute();
  await db
    .insertInto('vilogi_requests')
    .values({
      vilogi_id: `iso-${marker}`,
      kind: 'triage',
      first_run_id: runId,
      service: 'gestion',
      author_email: null,
      author_name: `Auteur ${marker}`,
      building: null,
      lot: null,
      subject: `Triage ${marker}`,
      filed_at: new Date(),
      space_id: space.id,
      conversation_id: null,
      redmine_issue_id: null,
    })
    .execute();
  return {
    space,
    client,
    kase,
    conversation,
    marker,
    ids: {
      docId: document!.id,
      fileId: caseFile!.id,
      memberId: member.id,
      messageId,
      attachmentId: attachment.id,
      clientFileId: clientFile.id,
      contactId,
    },
  };
}

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
  const adm = await createStaff(db, { name: `Admin ${tag}`, admin: true });
  uploaderId = adm.account.id;
  A = await fill('A');
  B = await fill('B');
  const agent = await createStaff(db, { name: `Agent ${tag}`, role: 'manager', spaces: [A.space] });
  agentA = new Browser(system.app!);
  expect((await agentA.login(agent.account.email, agent.password, 'staff')).statusCode).toBe(303);
  admin = new Browser(system.app!);
  expect((await admin.login(adm.account.email, adm.password, 'staff')).statusCode).toBe(303);
});
afterAll(async () => {
  await system?.stop();
});

/** The URL of a route for one space's rows. */
function urlFor(route: string, d: SpaceData): string {
  const isClient = route.startsWith('/back-office/clients/');
  const isConversation = route.startsWith('/back-office/conversations/');
  return route
    .replace(':id', isClient ? d.client.id : isConversation ? d.conversation.id : d.kase.id)
    .replace(':docId', d.ids.docId)
    .replace(':fileId', d.ids.fileId)
    .replace(':memberId', d.ids.memberId)
    .replace(':contactId', d.ids.contactId)
    .replace(
      ':attachmentId',
      isClient ? d.ids.clientFileId : route.endsWith('/etat') ? d.ids.messageId : d.ids.attachmentId,
    );
}

async function sheetText(res: LightMyRequestResponse): Promise<string> {
  expect(res.statusCode).toBe(200);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(new Uint8Array(res.rawPayload).buffer);
  const cells: string[] = [];
  book.worksheets[0]!.eachRow((row) => row.eachCell((c) => cells.push(c.text)));
  return cells.join('\n');
}

function count(text: string, marker: string): number {
  return text.split(marker).length - 1;
}

describe('a staff member of space A', () => {
  it('finds nothing of space B in any list, search, filter or export; an administrator finds both', async () => {
    const lists = [
      '/back-office',
      `/back-office?space=${B.space.id}`,
      '/back-office/dossiers',
      `/back-office/dossiers?espace=${B.space.id}`,
      // Searched by what B's rows hold but the page echoes without the marker: the client's e-mail.
      `/back-office/dossiers?q=${encodeURIComponent(B.client.email)}`,
      '/back-office/clients',
      `/back-office/clients?q=${encodeURIComponent(B.client.email)}`,
      '/back-office/delais',
      `/back-office/delais?space=${B.space.id}`,
      '/back-office/delais?assignee=900002',
      '/back-office/vilogi',
      '/back-office/dossiers/nouveau',
    ];
    const PAGED_OVER_EVERYTHING = new Set(['/back-office', '/back-office/dossiers', '/back-office/clients']);
    const report: string[] = [];
    for (const url of lists) {
      const mine = await agentA.get(url);
      expect([200, 404], url).toContain(mine.statusCode);
      const all = await admin.get(url);
      expect(count(mine.body, B.marker), `${url}: rows of B seen by A`).toBe(0);
      expect(mine.headers.location, url).toBeUndefined();
      // A search that finds one case leads the administrator straight to it.
      const adminSeesB =
        all.statusCode === 302
          ? Number(all.headers.location === `/back-office/dossiers/${B.kase.id}`)
          : count(all.body, B.marker);
      // The unfiltered lists are paged over the whole test database (other files' rows too): B's
      // row need not be on the administrator's first page there; everywhere else it must be.
      if (!PAGED_OVER_EVERYTHING.has(url)) expect(adminSeesB, `${url}: rows of B seen by the admin`).toBeGreaterThan(0);
      report.push(
        `${url}: A sees ${count(mine.body, A.marker)} of A, 0 of B; admin sees ${count(all.body, A.marker)} of A, ${adminSeesB} of B`,
      );
    }
    // Unfiltered lists show A's own rows to A.
    for (const url of [
      '/back-office',
      '/back-office/dossiers',
      '/back-office/clients',
      '/back-office/delais',
      '/back-office/vilogi',
    ]) {
      expect(count((await agentA.get(url)).body, A.marker), url).toBeGreaterThan(0);
    }
    // B's case number typed in full does not lead to it.
    const search = await agentA.get(`/back-office/dossiers?q=N-${B.marker}`);
    expect(search.statusCode).toBe(404);
    expect(search.headers.location).toBeUndefined();

    for (const url of [
      '/back-office/exports/dossiers.xlsx',
      `/back-office/exports/dossiers.xlsx?espace=${B.space.id}`,
      '/back-office/exports/contacts.xlsx',
      '/back-office/exports/messages.xlsx',
    ]) {
      const mine = await sheetText(await agentA.get(url));
      const all = await sheetText(await admin.get(url));
      expect(count(mine, B.marker), url).toBe(0);
      expect(count(all, B.marker), url).toBeGreaterThan(0);
      if (!url.includes('espace=')) expect(count(mine, A.marker), url).toBeGreaterThan(0);
      report.push(
        `${url}: A's export holds ${count(mine, A.marker)} cells of A, 0 of B; the admin's ${count(all, A.marker)} of A, ${count(all, B.marker)} of B`,
      );
    }
    console.log(report.join('\n'));
  });

  it('gets 404 for every page, download and action of space B (and reaches its own)', async () => {
    // Every staff route naming a case, a conversation or a client record (and what is under them).
    const routes = system.app!.routeAccess.filter(
      (r) =>
        r.access === 'staff' &&
        r.method !== 'HEAD' &&
        /^\/back-office\/(dossiers|conversations|clients)\/:id/.test(r.url),
    );
    expect(routes.length).toBeGreaterThan(25);
    const token = csrfToken((await agentA.get('/back-office')).body);
    const multipart = new Set(['/back-office/dossiers/:id/fichiers', '/back-office/clients/:id/fichiers']);
    let refused = 0;
    for (const route of routes) {
      const url = urlFor(route.url, B);
      let res: LightMyRequestResponse;
      if (route.method === 'GET') res = await agentA.get(url);
      else if (multipart.has(route.url)) res = await agentA.postMultipart(url, {}, [], { csrf: token });
      else
        res = await agentA.post(
          url,
          {
            state: 'read',
            role: 'agent',
            body: 'x',
            note: 'x',
            comment: 'x',
            decision: 'validate',
            kind: 'phone',
            value: '+33 6 11 22 33 44',
            assignee: '',
            from: 'paid',
            to: 'unpaid',
            amount: '10',
            summary: 'x',
            conclusions: 'x',
            reason: 'Une raison suffisante pour voir',
            exempt: '1',
            name: 'X',
            email: 'x@example.test',
            observation: 'x',
          },
          { csrf: token },
        );
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(404);
      refused++;
    }
    // The same pages of A open for A (the 404s above are the scope, not broken URLs).
    let opened = 0;
    for (const route of routes.filter((r) => r.method === 'GET')) {
      const res = await agentA.get(urlFor(route.url, A));
      expect(res.statusCode, `GET ${route.url} for A`).toBe(200);
      expect((await admin.get(urlFor(route.url, B))).statusCode, `GET ${route.url} of B for the admin`).toBe(200);
      opened++;
    }
    console.log(
      `${refused} pages and actions of space B: ${refused} answered 404 to A's staff; ${opened} pages of A opened for A and of B for the admin`,
    );

    // Nothing of B was changed by those actions.
    const kase = await db.selectFrom('cases').selectAll().where('id', '=', B.kase.id).executeTakeFirstOrThrow();
    expect(kase.status).toBe(B.kase.status);
    expect(kase.payment_state).toBe(B.kase.payment_state);
    expect(await db.selectFrom('case_notes').select('id').where('case_id', '=', B.kase.id).execute()).toEqual([]);
    expect(
      await db.selectFrom('messages').select('id').where('conversation_id', '=', B.conversation.id).execute(),
    ).toHaveLength(1);
    expect(
      await db.selectFrom('client_contacts').select('id').where('client_account_id', '=', B.client.id).execute(),
    ).toHaveLength(1);
    expect(
      await db.selectFrom('client_views').select('id').where('client_account_id', '=', B.client.id).execute(),
    ).toEqual([]);
  });

  it('cannot open a case in space B, nor see B in the space choices', async () => {
    const form = await agentA.get('/back-office/dossiers/nouveau');
    expect(form.body).toContain(A.space.id);
    expect(form.body).not.toContain(B.space.id);
    const template = await db
      .selectFrom('document_templates')
      .select('id')
      .where('slug', '=', 'credit-bail-vehicule')
      .executeTakeFirstOrThrow();
    const number = `N-B-${tag}`;
    const res = await agentA.post(
      '/back-office/dossiers/nouveau',
      {
        number,
        title: 'Dossier',
        clientEmail: B.client.email,
        clientName: 'X',
        space: B.space.id,
        template: template.id,
      },
      { formUrl: '/back-office/dossiers/nouveau' },
    );
    expect(res.statusCode).toBe(400);
    expect(await db.selectFrom('cases').select('id').where('number', '=', number).execute()).toEqual([]);
  });
});
