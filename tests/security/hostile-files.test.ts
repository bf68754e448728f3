// Every upload route, every hostile file: against the real PostgreSQL, Temporal, Redmine and the
// Vilogi simulator, each file of the generator (tests/helpers/hostile-files.ts) is sent to each
// route that receives files (client: new conversation, reply, deposit, split; contributor
// deposit; staff: client-record file, case file; administrator: logo; the Vilogi import, both
// the conversation path and the triage path). Each is refused with its name and its reason in the
// answer; nothing is stored: no row, no byte in storage, no upload in Redmine. Names the rule
// sanitizes are stored under their clean name. The server answers /health within 1 s while a
// bomb is being refused.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createRedmineClient, type RedmineClient } from '../../connectors/redmine/index.js';
import { startVilogiSimulator, type VilogiSimulator } from '../../connectors/vilogi/simulator.js';
import { openDatabase, type Db } from '../../db/connect.js';
import { addCaseMember } from '../../db/contributors.js';
import { createConversation, insertMessage } from '../../db/conversations.js';
import type { Account, Case, Space } from '../../db/database.js';
import { refusalMessage } from '../../domain/files.js';
import { inspectFile, isRefusal } from '../../app/inspection/index.js';
import { fr } from '../../i18n/fr/index.js';
import type { RunningSystem } from '../../runtime/system.js';
import { vilogiSyncWorkflow } from '../../workflows/index.js';
import { categoryId, cloneTemplate, makeCase, makePdf, storedFiles } from '../helpers/documents.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { hostileFiles, sanitizedNames, type HostileFile } from '../helpers/hostile-files.js';
import { Browser, csrfToken } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique } from '../helpers/redmine.js';
import { startTestSystem } from '../helpers/system.js';

// Where the Debian Redmine of scripts/provision.sh keeps uploaded files.
const REDMINE_FILES = '/var/lib/redmine/default/files';

let system: RunningSystem & { url: string };
let db: Db;
let sim: VilogiSimulator;
let admin: RedmineAdmin;
let redmine: RedmineClient;
let connection: Connection;
let temporal: Client;
let space: Space;
let files: HostileFile[];
const startedAt = Date.now();

interface Actor {
  account: Account;
  browser: Browser;
}
let owner: Actor;
let guarantor: Actor;
let staff: Actor;
let kase: Case;
let conversationId: string;
let identity: string;
let guarantee: string;

async function createProject(apiKey: string, label: string): Promise<{ id: number; identifier: string }> {
  const identifier = `guichet-${label}-${randomBytes(4).toString('hex')}`;
  const trackers = await redmine.listTrackers();
  const fields = ((await redmine.listCustomFields()) ?? []).filter((f) => f.customizedType === 'issue');
  const created = await admin.http.json<{ project: { id: number } }>({
    method: 'POST',
    path: '/projects.json',
    json: {
      project: {
        name: identifier,
        identifier,
        is_public: false,
        tracker_ids: trackers.map((t) => t.id),
        enabled_module_names: ['issue_tracking'],
        issue_custom_field_ids: fields.map((f) => f.id),
      },
    },
  });
  const id = created.data!.project.id;
  await admin.trackProject(id);
  const apiUser = await createRedmineClient({ baseUrl: redmineTestEnv().url, apiKey }).currentUser();
  await admin.http.json({
    method: 'POST',
    path: `/projects/${id}/memberships.json`,
    json: { membership: { user_id: apiUser.id, role_ids: await admin.roleIds(['Guichet API']) } },
  });
  return { id, identifier };
}

async function signedIn(account: Account, password: string, area: 'client' | 'staff' = 'client'): Promise<Actor> {
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password, area)).statusCode).toBe(303);
  return { account, browser };
}

beforeAll(async () => {
  const env = redmineTestEnv();
  redmine = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  admin = new RedmineAdmin(env);
  const project = await createProject(env.apiKey, 'hostile');
  const triage = await createProject(env.apiKey, 'hostile-tri');
  const probe = await openDatabase({ url: inject('databaseUrl') });
  space = await createSpace(probe.db, 'Gestion locative');
  await probe.close();
  sim = await startVilogiSimulator({ seed: 7, idPrefix: `HF-${randomBytes(3).toString('hex')}-` });
  system = await startTestSystem({
    REDMINE_URL: env.url,
    STAFF_LOGIN: 'local',
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${space.slug}=${project.identifier}`,
    VILOGI_URL: sim.url,
    VILOGI_SERVICES: `*=${project.identifier}`,
    VILOGI_TRIAGE_PROJECT: triage.identifier,
    VILOGI_SYNC_MINUTES: '1440',
  });
  db = system.database.db;
  connection = await Connection.connect({ address: inject('temporalAddress') });
  temporal = new Client({ connection });
  files = await hostileFiles();

  const rental = await cloneTemplate(db, 'demande-location');
  const client = await createClient(db, { space, name: 'Claire Martin' });
  owner = await signedIn(client.account, client.password);
  const other = await createClient(db, { name: 'Marc Garant' });
  guarantor = await signedIn(other.account, other.password);
  const staffer = await createStaff(db, { name: 'Julien Bernard', admin: true });
  staff = await signedIn(staffer.account, staffer.password, 'staff');
  kase = await makeCase(db, {
    space,
    client: owner.account,
    template: rental,
    number: `HF-${Date.now().toString(36).toUpperCase()}`,
  });
  const member = await addCaseMember(db, {
    caseId: kase.id,
    accountId: guarantor.account.id,
    kind: 'contributor',
    role: 'garant',
    invitedBy: owner.account.id,
  });
  await db
    .updateTable('case_members')
    .set({ status: 'active', accepted_at: new Date() })
    .where('id', '=', member.id)
    .execute();
  identity = await categoryId(db, rental.id, 'identite');
  guarantee = await categoryId(db, rental.id, 'garantie');
  conversationId = randomUUID();
  await createConversation(db, {
    id: conversationId,
    spaceId: space.id,
    clientAccountId: owner.account.id,
    subject: unique('Fuite'),
    cc: '',
  });
  await insertMessage(db, {
    id: randomUUID(),
    conversationId,
    authorKind: 'client',
    authorAccountId: owner.account.id,
    authorDisplayName: 'Claire Martin',
    body: 'Bonjour.',
    redmineDelivery: 'pending',
  });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await sim?.close();
  await connection?.close();
  await admin?.cleanUp();
});

/**
 * Everything a refused file could have left: this system's storage, and the rows of this file's
 * people and case (test files share the database: global counts would see the others' work).
 */
async function snapshot() {
  const people = [owner.account.id, guarantor.account.id];
  const conversations = db.selectFrom('conversations').select('id').where('client_account_id', 'in', people);
  const n = async (query: { executeTakeFirstOrThrow(): Promise<{ n: string | number | bigint }> }) =>
    Number((await query.executeTakeFirstOrThrow()).n);
  return {
    storage: await storedFiles(system.config.storageDir),
    conversations: await n(
      db
        .selectFrom('conversations')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('client_account_id', 'in', people),
    ),
    messages: await n(
      db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('conversation_id', 'in', conversations),
    ),
    attachments: await n(
      db
        .selectFrom('attachments')
        .innerJoin('messages', 'messages.id', 'attachments.message_id')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('messages.conversation_id', 'in', conversations),
    ),
    documents: await n(
      db
        .selectFrom('documents')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('case_id', '=', kase.id),
    ),
    caseFiles: await n(
      db
        .selectFrom('case_files')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('case_id', '=', kase.id),
    ),
    clientFiles: await n(
      db
        .selectFrom('client_files')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('client_account_id', 'in', people),
    ),
    logo: (await db.selectFrom('settings').select('logo_key').executeTakeFirst())?.logo_key ?? null,
  };
}

/** SHA-256 of the files Redmine received since this test file started. */
async function redmineUploads(): Promise<Set<string>> {
  const out = new Set<string>();
  const entries = await readdir(REDMINE_FILES, { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    if ((await stat(full)).mtimeMs < startedAt - 1000) continue;
    out.add(
      createHash('sha256')
        .update(await readFile(full))
        .digest('hex'),
    );
  }
  return out;
}

interface Route {
  name: string;
  actor: () => Actor;
  url: () => string;
  formUrl: () => string;
  fields: () => Record<string, string>;
  /** Kinds the route takes (the logo: images only, 1 MB). */
  images?: boolean;
}

const ROUTES: Route[] = [
  {
    name: 'client: new conversation',
    actor: () => owner,
    url: () => '/conversations',
    formUrl: () => '/conversations/nouvelle',
    fields: () => ({ spaceId: space.id, subject: 'Pièces', body: 'Voici.' }),
  },
  {
    name: 'client: reply',
    actor: () => owner,
    url: () => `/conversations/${conversationId}/messages`,
    formUrl: () => `/conversations/${conversationId}`,
    fields: () => ({ body: 'Et ceci.' }),
  },
  {
    name: 'client: deposit',
    actor: () => owner,
    url: () => `/dossiers/${kase.id}/documents`,
    formUrl: () => `/dossiers/${kase.id}`,
    fields: () => ({ category: identity }),
  },
  {
    name: 'client: split (déliassage)',
    actor: () => owner,
    url: () => `/dossiers/${kase.id}/decoupage`,
    formUrl: () => `/dossiers/${kase.id}`,
    fields: () => ({}),
  },
  {
    name: 'contributor: deposit',
    actor: () => guarantor,
    url: () => `/dossiers/${kase.id}/documents`,
    formUrl: () => `/dossiers/${kase.id}`,
    fields: () => ({ category: guarantee }),
  },
  {
    name: 'staff: client-record file',
    actor: () => staff,
    url: () => `/back-office/clients/${owner.account.id}/fichiers`,
    formUrl: () => `/back-office/clients/${owner.account.id}`,
    fields: () => ({}),
  },
  {
    name: 'staff: case file',
    actor: () => staff,
    url: () => `/back-office/dossiers/${kase.id}/fichiers`,
    formUrl: () => `/back-office/dossiers/${kase.id}`,
    fields: () => ({}),
  },
  {
    name: 'administrator: logo',
    actor: () => staff,
    url: () => '/back-office/reglages',
    formUrl: () => '/back-office/reglages',
    fields: () => ({ primaryColor: '#1d4ed8', rowsPerPage: '25', locale_fr: 'on' }),
    images: true,
  },
];

/** The reason the route must give: the logo takes only PNG, JPEG and GIF, so other kinds are "not here". */
function expectedReason(route: Route, file: HostileFile): string {
  if (!route.images) return file.reason;
  const ext = /\.([a-z]+)$/i.exec(file.shown)?.[1]?.toLowerCase();
  const generic = file.reason.startsWith('son nom') || file.reason.startsWith('formats acceptés');
  if (generic || ext === undefined) return file.reason;
  return ['png', 'jpg', 'jpeg', 'gif'].includes(ext)
    ? file.reason
    : 'n’est pas accepté ici : formats acceptés PNG, JPEG, GIF';
}

/** This file sends far more uploads from one account than the rate limits allow in an hour: they
 * are tested in rate-limits.test.ts; here this system's counters start from zero again. */
async function clearRateLimits() {
  await db.deleteFrom('rate_limits').where('key', 'like', `${system.config.TEMPORAL_TASK_QUEUE}:%`).execute();
}

describe('one inspection for every upload route', () => {
  beforeEach(clearRateLimits);
  it('generates at least 40 hostile files', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  for (const route of ROUTES) {
    it(`${route.name}: refuses every hostile file, says which and why, stores nothing`, async () => {
      const { browser } = route.actor();
      const csrf = csrfToken((await browser.get(route.formUrl())).body);
      const before = await snapshot();
      const t0 = Date.now();
      for (const file of files) {
        await clearRateLimits();
        const res = await browser.postMultipart(
          route.url(),
          route.fields(),
          [{ filename: file.filename, content: file.content }],
          { csrf },
        );
        expect(res.statusCode, `${route.name} · ${file.title}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${route.name} · ${file.title}`).toBeLessThan(500);
        expect(res.body, `${route.name} · ${file.title}`).toContain(`Le fichier « ${file.shown} » n’est pas accepté`);
        expect(res.body, `${route.name} · ${file.title}`).toContain(expectedReason(route, file));
      }
      console.log(`${route.name}: ${files.length} hostile files refused in ${Date.now() - t0} ms`);
      expect(await snapshot()).toEqual(before);
    }, 120_000);
  }

  it('Vilogi import: a request with every hostile file keeps none and names each, in the conversation and in triage', async () => {
    const before = await snapshot();
    const attachments = files.map((f, i) => ({
      id: `H${i}`,
      fileName: f.filename,
      contentType: 'application/octet-stream',
      data: f.content,
    }));
    const tag = unique('hostile');
    const known = sim.add({
      subject: `Pièces ${tag}`,
      author: { email: owner.account.email, name: 'Claire Martin' },
      service: 'gestion',
      body: 'Mes pièces.',
      attachments,
    });
    const anonymous = sim.add({
      subject: `Anonyme ${tag}`,
      author: { email: null, name: 'Inconnu' },
      service: 'gestion',
      body: 'Sans adresse.',
      attachments,
    });
    const result = await temporal.workflow.execute(vilogiSyncWorkflow, {
      workflowId: `vilogi-hostile-${randomBytes(4).toString('hex')}`,
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      args: [{ trigger: 'manual' }],
    });
    expect(result).toMatchObject({ created: 1, triage: 1, failed: 0 });

    const row = await db
      .selectFrom('vilogi_requests')
      .selectAll()
      .where('vilogi_id', '=', known.id)
      .executeTakeFirstOrThrow();
    const message = await db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', row.conversation_id!)
      .orderBy('created_at')
      .executeTakeFirstOrThrow();
    for (const f of files) expect(message.body, f.title).toContain(`[Pièce jointe non reprise : ${f.shown} (`);
    expect(await db.selectFrom('attachments').select('id').where('message_id', '=', message.id).execute()).toEqual([]);
    const after = await snapshot();
    // One conversation and its message (and its acknowledgement, once written), no file.
    expect(after.storage).toEqual(before.storage);
    expect(after.attachments).toBe(before.attachments);

    const triageRow = await db
      .selectFrom('vilogi_requests')
      .selectAll()
      .where('vilogi_id', '=', anonymous.id)
      .executeTakeFirstOrThrow();
    const triageIssue = await redmine.getIssue(admin.trackIssue(triageRow.redmine_issue_id!), { attachments: true });
    expect(triageIssue!.attachments).toEqual([]);
    for (const f of files) expect(triageIssue!.description, f.title).toContain(`« ${f.shown} »`);
  }, 120_000);

  it('sent nothing hostile to Redmine', async () => {
    const uploads = await redmineUploads();
    for (const f of files)
      expect(uploads.has(createHash('sha256').update(f.content).digest('hex')), f.title).toBe(false);
  });

  it('stores names the rule sanitizes under their clean name (deposit and message attachment)', async () => {
    const names = sanitizedNames();
    const csrf = csrfToken((await owner.browser.get(`/dossiers/${kase.id}`)).body);
    for (const n of names) {
      const res = await owner.browser.postMultipart(
        `/dossiers/${kase.id}/documents`,
        { category: identity },
        [{ filename: n.filename, content: await makePdf(1) }],
        { csrf },
      );
      expect(res.statusCode, n.stored).toBe(303);
    }
    const stored = await db.selectFrom('documents').select('file_name').where('case_id', '=', kase.id).execute();
    expect(stored.map((d) => d.file_name).sort()).toEqual(names.map((n) => n.stored).sort());
    const res = await owner.browser.postMultipart(
      `/conversations/${conversationId}/messages`,
      { body: 'Noms nettoyés.' },
      await Promise.all(names.slice(0, 5).map(async (n) => ({ filename: n.filename, content: await makePdf(1) }))),
      { csrf },
    );
    expect(res.statusCode).toBe(303);
    const rows = await db
      .selectFrom('attachments')
      .innerJoin('messages', 'messages.id', 'attachments.message_id')
      .select('attachments.file_name')
      .where('messages.conversation_id', '=', conversationId)
      .execute();
    expect(rows.map((r) => r.file_name).sort()).toEqual(
      names
        .slice(0, 5)
        .map((n) => n.stored)
        .sort(),
    );
  });

  it('speaks English to an English-speaking client', async () => {
    const { account, password } = await createClient(db, { space, locale: 'en' });
    const english = await signedIn(account, password);
    const res = await english.browser.postMultipart(
      '/conversations',
      { spaceId: space.id, subject: 'Files', body: 'Here.' },
      [{ filename: 'bombe.pdf', content: files.find((f) => f.shown === 'bombe.pdf')!.content }],
      {
        formUrl: '/conversations/nouvelle',
      },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(
      'The file “bombe.pdf” is not accepted: its dimensions or its decompressed content exceed',
    );
  });

  it('answers /health within 1 s while bombs are being refused', async () => {
    const bomb = files.find((f) => f.shown === 'bombe.pdf')!.content;
    const csrf = csrfToken((await owner.browser.get(`/dossiers/${kase.id}`)).body);
    let pending = true;
    const bombs = Promise.all(
      Array.from({ length: 3 }, (_, i) =>
        owner.browser.postMultipart(
          `/dossiers/${kase.id}/documents`,
          { category: identity },
          [{ filename: `bombe-${i}.pdf`, content: bomb }],
          { csrf },
        ),
      ),
    ).finally(() => {
      pending = false;
    });
    const latencies: number[] = [];
    while (pending) {
      const t0 = performance.now();
      const health = await system.app!.inject({ method: 'GET', url: '/health' });
      latencies.push(performance.now() - t0);
      expect(health.statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    const answers = await bombs;
    for (const res of answers) expect(res.body).toContain('ses dimensions ou son contenu décompressé dépassent');
    console.log(
      `/health during 3 deflate bombs (1 GB each): ${latencies.length} answers, max ${Math.max(...latencies).toFixed(0)} ms, median ${latencies.sort((a, b) => a - b)[Math.floor(latencies.length / 2)]!.toFixed(0)} ms`,
    );
    expect(latencies.length).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThan(1000);
  });

  it('refuses, as too complex to check, a file whose check runs out of time (the thread is stopped)', async () => {
    const outcome = await inspectFile(
      'lent.pdf',
      files.find((f) => f.shown === 'bombe.pdf')!.content,
      {},
      { timeoutMs: 5 },
    );
    expect(isRefusal(outcome)).toBe(true);
    if (!isRefusal(outcome)) return;
    expect(outcome.reason).toBe('too_complex');
    expect(refusalMessage(fr, outcome)).toBe(
      'Le fichier « lent.pdf » n’est pas accepté : il est trop complexe pour être vérifié. Merci d’en déposer une version plus simple (par exemple réimprimée en PDF).',
    );
    // The pool still works afterwards.
    const genuine = await inspectFile('ok.pdf', await makePdf(2));
    expect(isRefusal(genuine) ? genuine.reason : genuine.pageCount).toBe(2);
  });
});
