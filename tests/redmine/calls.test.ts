// How many Redmine calls the writing flows make (docs/redmine-calls.md): counted by the TCP proxy
// between Guichet and the real Redmine 5.0. A conversation opened: one issue creation with
// everything in it and no search; a client message: exactly one PUT and one read; messages that
// waited during an outage: one PUT each and one read per batch, each note once and in order; a
// Vilogi request: the issue (its origin and the acknowledgement in the description), the client's
// note and one read, 3 calls.
// The poller is made idle (its longest interval) so that its reads do not mix with the counts.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { openDatabase, type Db } from '../../db/connect.js';
import { createRedmineClient, noteMarkerRefs, type RedmineClient } from '../../connectors/redmine/index.js';
import { listMessages } from '../../db/conversations.js';
import type { Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique } from '../helpers/redmine.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';
import { startTcpProxy, type ProxiedRequest, type TcpProxy } from '../helpers/tcp-proxy.js';
import { startVilogiSimulator, type VilogiSimulator } from '../../connectors/vilogi/simulator.js';
import { vilogiSyncWorkflow } from '../../workflows/index.js';

let system: RunningSystem & { url: string };
let smtp: TestSmtp;
let proxy: TcpProxy;
let staff: RedmineClient; // reads Redmine directly (the administrator), never through the proxy
let admin: RedmineAdmin;
let space: Space;
let db: Db;
let project: { id: number; identifier: string };
let sim: VilogiSimulator;
let connection: Connection;

beforeAll(async () => {
  const env = redmineTestEnv();
  smtp = await startSmtp();
  staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  admin = new RedmineAdmin(env);
  project = await createScratchProject(env.apiKey);
  proxy = await startTcpProxy({ target: env.url });
  const probe = await openDatabase({ url: inject('databaseUrl') });
  space = await createSpace(probe.db, 'Gestion locative');
  await probe.close();
  // Test files share one database: request ids of our own.
  sim = await startVilogiSimulator({ seed: 7, idPrefix: `VC-${randomBytes(3).toString('hex')}-` });
  system = await startTestSystem({
    SMTP_URL: smtp.url,
    REDMINE_URL: proxy.url,
    STAFF_LOGIN: 'local',
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${space.slug}=${project.identifier}`,
    // The poller idle during the counts: its reads would be counted with the writing flows'.
    REDMINE_POLL_SECONDS: '300',
    REDMINE_RESCAN_MINUTES: '1440',
    VILOGI_URL: sim.url,
    VILOGI_SERVICES: `*=${project.identifier}`,
    // Midnight UTC: the schedule does not fire during the test; the run is started here.
    VILOGI_SYNC_MINUTES: '1440',
  });
  db = system.database.db;
  connection = await Connection.connect({ address: inject('temporalAddress') });
});

afterEach(async () => {
  await proxy?.restore();
});

afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  await system?.stop();
  await sim?.close();
  await connection?.close();
  await proxy?.close();
  await smtp?.close();
  if (project) await admin.trackProject(project.id);
  await admin?.cleanUp();
});

/** A project of this file's own (the other files' pollers map guichet-demo), set up like it. */
async function createScratchProject(apiKey: string): Promise<{ id: number; identifier: string }> {
  const identifier = `guichet-calls-${unique('p')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '')}`.slice(0, 60);
  const trackers = await staff.listTrackers();
  const fields = (await staff.listCustomFields()) ?? [];
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
        issue_custom_field_ids: fields.filter((f) => f.customizedType === 'issue').map((f) => f.id),
      },
    },
  });
  const id = created.data!.project.id;
  const apiUser = await createRedmineClient({ baseUrl: staff.baseUrl, apiKey }).currentUser();
  await admin.http.json({
    method: 'POST',
    path: `/projects/${id}/memberships.json`,
    json: { membership: { user_id: apiUser.id, role_ids: await admin.roleIds(['Guichet API']) } },
  });
  return { id, identifier };
}

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `PUT /issues/:id.json` ×2, … : the requests by method and path, ids left out. */
function kinds(requests: readonly ProxiedRequest[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) {
    const key = `${r.method} ${r.path.replace(/\/\d+(?=[./]|$)/g, '/:id')}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function newClient(name: string) {
  const { account, password } = await createClient(db, { space, name });
  const browser = new Browser(system.app!);
  await browser.login(account.email, password);
  return browser;
}

/** The conversation of an issue. */
async function conversationOf(issueId: number): Promise<string | undefined> {
  return (await db.selectFrom('conversations').select('id').where('redmine_issue_id', '=', issueId).executeTakeFirst())
    ?.id;
}

async function allDelivered(conversationId: string, count: number) {
  return eventually(
    () => listMessages(db, conversationId),
    (m) => m.filter((x) => x.author_kind === 'client' && x.redmine_delivery === 'delivered').length === count,
    `${count} client messages delivered`,
  );
}

async function write(browser: Browser, conversationId: string, body: string) {
  const res = await browser.post(
    `/conversations/${conversationId}/messages`,
    { body },
    { formUrl: `/conversations/${conversationId}` },
  );
  expect(res.statusCode).toBe(303);
}

/** The Guichet-marked journals of the issue, in order: the message id of each client note. */
async function markedMessageIds(issueId: number): Promise<string[]> {
  const issue = await staff.getIssue(issueId, { journals: true });
  return (issue?.journals ?? [])
    .flatMap((j) => noteMarkerRefs(j.notes))
    .map((ref) => /^message-([0-9a-f-]{36})$/.exec(ref)?.[1])
    .filter((id): id is string => id !== undefined);
}

describe('Redmine calls of the writing flows', () => {
  it('opens a conversation with one issue creation and no search, and a client message costs one PUT and one read', async () => {
    const browser = await newClient('Appels Un');
    proxy.resetCount();
    const res = await browser.post(
      '/conversations',
      { spaceId: space.id, subject: unique('Appels'), body: 'Premier message.' },
      { formUrl: '/conversations/nouvelle' },
    );
    expect(res.statusCode).toBe(303);
    const conversationId = /\/conversations\/([0-9a-f-]{36})/.exec(res.headers.location as string)![1]!;
    await allDelivered(conversationId, 1);
    const issueId = (
      await eventually(
        () =>
          db
            .selectFrom('conversations')
            .select('redmine_issue_id')
            .where('id', '=', conversationId)
            .executeTakeFirstOrThrow(),
        (r) => r.redmine_issue_id !== null,
        'the issue',
      )
    ).redmine_issue_id!;
    // Time for a late acknowledgement note to show, were one written.
    await new Promise((r) => setTimeout(r, 1500));
    const opened = kinds(proxy.requests);
    const openedSequence = proxy.requests.map((r) => `${r.method} ${r.path}`).join(', ');
    // One creation with the subject, the description (with the acknowledgement) and the e-mail
    // field; no search before it.
    expect(opened['POST /issues.json'], openedSequence).toBe(1);
    expect(opened['GET /issues.json'], openedSequence).toBeUndefined();
    // The client's note (no read before it), one read after it; no acknowledgement note.
    expect(opened['PUT /issues/:id.json'], openedSequence).toBe(1);
    expect(opened['GET /issues/:id.json'], openedSequence).toBe(1);
    expect(proxy.requests.length, openedSequence).toBe(3);
    const openedIssue = await staff.getIssue(issueId, { journals: true });
    expect(openedIssue!.description).toContain('Accusé de réception envoyé au client le');
    expect((openedIssue!.journals ?? []).flatMap((j) => noteMarkerRefs(j.notes))).toHaveLength(1);

    proxy.resetCount();
    await write(browser, conversationId, 'Un deuxième message.');
    await allDelivered(conversationId, 2);
    await new Promise((r) => setTimeout(r, 500));
    expect(kinds(proxy.requests)).toEqual({ 'PUT /issues/:id.json': 1, 'GET /issues/:id.json': 1 });
    const ids = await markedMessageIds(issueId);
    const messages = (await listMessages(db, conversationId)).filter((m) => m.author_kind === 'client');
    expect(ids).toEqual(messages.map((m) => m.id));
    // Each message knows the journal it became.
    const issue = await staff.getIssue(issueId, { journals: true });
    for (const m of messages) {
      const journal = issue?.journals?.find((j) => j.id === m.redmine_journal_id);
      expect(journal && noteMarkerRefs(journal.notes)).toEqual([`message-${m.id}`]);
    }
  });

  it('delivers messages that waited during an outage with one PUT each and one read per batch, once and in order', async () => {
    const browser = await newClient('Appels Deux');
    const res = await browser.post(
      '/conversations',
      { spaceId: space.id, subject: unique('Appels'), body: 'Avant la panne.' },
      { formUrl: '/conversations/nouvelle' },
    );
    const conversationId = /\/conversations\/([0-9a-f-]{36})/.exec(res.headers.location as string)![1]!;
    await allDelivered(conversationId, 1);
    const { redmine_issue_id: issueId } = await db
      .selectFrom('conversations')
      .select('redmine_issue_id')
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    await eventually(
      () => staff.getIssue(issueId!, { journals: true }),
      (i) => (i?.journals ?? []).filter((j) => noteMarkerRefs(j.notes).length > 0).length === 1,
      'the client note',
    );

    await proxy.cut();
    for (let i = 1; i <= 6; i++) await write(browser, conversationId, `Pendant la panne, message ${i}.`);
    // Let the first message's step fail at least once: its next attempt reads before writing.
    await new Promise((r) => setTimeout(r, 1500));
    proxy.resetCount();
    await proxy.restore();
    await allDelivered(conversationId, 7);
    await new Promise((r) => setTimeout(r, 500));
    const counts = kinds(proxy.requests);
    const sequence = proxy.requests.map((r) => `${r.method} ${r.path}`).join(', ');
    // Exactly one PUT per message, and no other write.
    expect(counts['PUT /issues/:id.json'], sequence).toBe(6);
    expect(
      proxy.requests.filter((r) => r.method !== 'GET' && r.method !== 'PUT'),
      sequence,
    ).toEqual([]);
    // The messages go in one or two steps (the first message's step may start before the others
    // arrive): a retried step reads before and after its batch, a first attempt only after; never
    // a read per message. The poller, which failed during the outage too, makes one round when
    // Redmine returns (a list, then each issue updated): its reads are told apart by that list.
    const pollRounds = counts['GET /issues.json'] ?? 0;
    const reads = proxy.requests.filter((r) => r.method === 'GET' && r.path === `/issues/${issueId}.json`).length;
    expect(reads, sequence).toBeGreaterThanOrEqual(1);
    expect(reads, sequence).toBeLessThanOrEqual(3 + pollRounds);
    expect(pollRounds, sequence).toBeLessThanOrEqual(1);
    const messages = (await listMessages(db, conversationId)).filter((m) => m.author_kind === 'client');
    expect(await markedMessageIds(issueId!)).toEqual(messages.map((m) => m.id));
  });

  it('addNotesOnce skips the notes already there when it looks first, posts the others in order and reads once after', async () => {
    const env = redmineTestEnv();
    const api = createRedmineClient({ baseUrl: proxy.url, apiKey: env.apiKey });
    const emailField = (await staff.listCustomFields())!.find(
      (f) => f.name === 'E-mail client' && f.customizedType === 'issue',
    )!.id;
    const { id: issueId } = await api.createIssue({
      projectId: project.id,
      subject: unique('Lot de notes'),
      description: 'Lot de notes.',
      customFields: [{ id: emailField, value: 'lot@example.test' }],
    });
    admin.trackIssue(issueId);
    const ref = (name: string) => `batch-${issueId}-${name}`;
    await api.addNoteOnce(issueId, ref('a'), { notes: 'A' });

    proxy.resetCount();
    let made = 0;
    const batch = [
      { ref: ref('a'), note: () => Promise.resolve({ notes: `A ${++made}` }) },
      { ref: ref('b'), note: () => Promise.resolve({ notes: `B ${++made}` }) },
      { ref: ref('c'), note: { notes: 'C', privateNotes: true } },
    ];
    const first = await api.addNotesOnce(issueId, batch, { lookFirst: true });
    const onIssue = (method: string) =>
      proxy.requests.filter((r) => r.method === method && r.path === `/issues/${issueId}.json`).length;
    // The note already there is neither made (its files would be uploaded) nor posted again.
    expect(made).toBe(1);
    expect(first.notes.map((n) => n.created)).toEqual([false, true, true]);
    expect(first.notes.map((n) => n.privateNotes)).toEqual([false, false, true]);
    expect(first.notes.some((n) => n.privacyDropped)).toBe(false);
    expect(first.notes[1]!.journalId).toBeLessThan(first.notes[2]!.journalId);
    expect(onIssue('PUT')).toBe(2);
    expect(onIssue('GET')).toBeLessThanOrEqual(2 + (kinds(proxy.requests)['GET /issues.json'] ?? 0));

    // Again: everything is there, nothing is written, the one read before is the read after.
    proxy.resetCount();
    const again = await api.addNotesOnce(issueId, batch, { lookFirst: true });
    expect(again.notes.map((n) => n.created)).toEqual([false, false, false]);
    expect(again.notes.map((n) => n.journalId)).toEqual(first.notes.map((n) => n.journalId));
    expect(onIssue('PUT')).toBe(0);
    expect(made).toBe(1);
    const issue = await staff.getIssue(issueId, { journals: true });
    expect((issue?.journals ?? []).flatMap((j) => noteMarkerRefs(j.notes))).toEqual([ref('a'), ref('b'), ref('c')]);
  });

  it('imports a Vilogi request with 3 Redmine calls: the issue with its origin and acknowledgement, the note, one read', async () => {
    const tag = randomBytes(3).toString('hex');
    const requests = [1, 2, 3].map((i) =>
      sim.add({
        subject: `Vilogi ${tag} ${i}`,
        // A forged marker and Textile in the author's name stay harmless text in the description.
        author: { email: `vilogi-${tag}-${i}@example.test`, name: `*Client* ${i} <!-- guichet:conversation-x -->` },
        building: 'Les Tilleuls',
        lot: `Lot ${i}`,
        service: 'gestion',
        body: `Demande ${i}.`,
        attachments: [],
      }),
    );
    proxy.resetCount();
    const result = await new Client({ connection }).workflow.execute(vilogiSyncWorkflow, {
      workflowId: `vilogi-calls-${tag}`,
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      args: [{ trigger: 'manual' }],
    });
    expect(result).toMatchObject({ fetched: 3, created: 3, processed: 3, failed: 0 });
    const rows = await db
      .selectFrom('vilogi_requests')
      .innerJoin('conversations', 'conversations.id', 'vilogi_requests.conversation_id')
      .select(['vilogi_requests.vilogi_id', 'vilogi_requests.origin_in_issue_at', 'conversations.redmine_issue_id'])
      .where(
        'vilogi_requests.vilogi_id',
        'in',
        requests.map((r) => r.id),
      )
      .execute();
    expect(rows).toHaveLength(3);
    for (const row of rows) await allDelivered((await conversationOf(row.redmine_issue_id!))!, 1);
    // Time for a late note (origin, acknowledgement) to show, were one written.
    await new Promise((r) => setTimeout(r, 1500));
    // Reads of this file's earlier conversations' issues (the poller re-reads live ones now and
    // then) are not the requests' flow; everything else is counted.
    const own = new Set(rows.map((row) => `/issues/${row.redmine_issue_id}.json`));
    const counted = proxy.requests.filter((r) => !/^\/issues\/\d+\.json$/.test(r.path) || own.has(r.path));
    const sequence = counted.map((r) => `${r.method} ${r.path}`).join(', ');
    expect(kinds(counted), sequence).toEqual({
      'POST /issues.json': 3,
      'PUT /issues/:id.json': 3,
      'GET /issues/:id.json': 3,
    });
    for (const row of rows) {
      admin.trackIssue(row.redmine_issue_id!);
      expect(row.origin_in_issue_at).not.toBeNull();
      const issue = (await staff.getIssue(row.redmine_issue_id!, { journals: true }))!;
      // Who asked, from which Vilogi request, and when the client was acknowledged.
      expect(issue.description).toContain('extranet Vilogi');
      expect(issue.description).toContain(row.vilogi_id);
      expect(issue.description).toContain('Les Tilleuls');
      expect(issue.description).toContain('Accusé de réception envoyé au client le');
      expect(issue.description).not.toContain('<!-- guichet:conversation-x');
      expect(noteMarkerRefs(issue.description)).toHaveLength(1);
      // The client's note is the one journal.
      expect(issue.journals!.flatMap((j) => noteMarkerRefs(j.notes))).toEqual([expect.stringMatching(/^message-/)]);
    }
  });
});
