// Redmine down: clients keep writing; their messages wait in the conversation workflows and reach
// Redmine in order when it returns; the client sees "sent", then "delivered"; a Redmine outage
// during traffic loses and duplicates nothing. Guichet talks to the real Redmine 5.0 through a
// TCP proxy that the test switches off and on; staff work in Redmine directly, never through it.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Db } from '../../db/connect.js';
import {
  createRedmineClient,
  noteMarkerRefs,
  type RedmineClient,
  type RedmineJournal,
} from '../../connectors/redmine/index.js';
import { listMessages } from '../../db/conversations.js';
import type { Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique } from '../helpers/redmine.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

let system: RunningSystem & { url: string };
let smtp: TestSmtp;
let proxy: TcpProxy;
let staff: RedmineClient; // staff working in Redmine directly (the administrator), never through the proxy
let admin: RedmineAdmin;
let space: Space;
let db: Db;
let project: { id: number; identifier: string };
let emailField: number;
/** Redmine returns, the workflows' retries (1 s doubling) and the poller's must find it by then. */
const RECOVERY_MS = 60_000;

beforeAll(async () => {
  const env = redmineTestEnv();
  smtp = await startSmtp();
  staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  admin = new RedmineAdmin(env);
  project = await createScratchProject(env.apiKey);
  emailField = (await staff.listCustomFields())!.find(
    (f) => f.name === 'E-mail client' && f.customizedType === 'issue',
  )!.id;
  proxy = await startTcpProxy({ target: env.url });
  const probe = await openDatabase({ url: inject('databaseUrl') });
  space = await createSpace(probe.db, 'Gestion locative');
  await probe.close();
  // Redmine must answer at start-up (the system checks it then): the outages come later.
  system = await startTestSystem({
    SMTP_URL: smtp.url,
    REDMINE_URL: proxy.url,
    // These tests are about the mirror: staff sign in with local test accounts.
    STAFF_LOGIN: 'local',
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${space.slug}=${project.identifier}`,
    REDMINE_POLL_SECONDS: '0.5',
    REDMINE_RESCAN_MINUTES: '0.05',
  });
  db = system.database.db;
});

// A test that fails during its outage must not leave Redmine down for the next one.
afterEach(async () => {
  await proxy?.restore();
});

afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  await system?.stop();
  await proxy?.close();
  await smtp?.close();
  // Deleted with its issues once the whole run is over: deleting it now would hand its issue
  // and journal ids out again while the run's database still links them.
  if (project) await admin.trackProject(project.id);
  await admin?.cleanUp();
});

/**
 * A project of this file's own, set up like guichet-demo (scripts/provision-redmine.sh): every
 * test file maps guichet-demo, so the pollers of files running beside this one would mirror its
 * issues into the shared test database, even while this file's Redmine is "down".
 */
async function createScratchProject(apiKey: string): Promise<{ id: number; identifier: string }> {
  const identifier = `guichet-outage-${unique('p')
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

async function eventually<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function issueOf(conversationId: string): Promise<number | null> {
  const row = await db
    .selectFrom('conversations')
    .select('redmine_issue_id')
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  return row.redmine_issue_id;
}

async function newClient(name: string) {
  const { account, password } = await createClient(db, { space, name });
  const browser = new Browser(system.app!);
  await browser.login(account.email, password);
  return { account, browser };
}

/** Opens a conversation through the client's form; does not wait for Redmine. */
async function openConversation(
  browser: Browser,
  subject: string,
  body: string,
): Promise<{ conversationId: string; elapsedMs: number }> {
  const started = Date.now();
  const res = await browser.post(
    '/conversations',
    { spaceId: space.id, subject, body },
    { formUrl: '/conversations/nouvelle' },
  );
  const elapsedMs = Date.now() - started;
  expect(res.statusCode).toBe(303);
  return { conversationId: /\/conversations\/([0-9a-f-]{36})/.exec(res.headers.location as string)![1]!, elapsedMs };
}

/** A client's follow-up through the thread's form. */
async function write(browser: Browser, conversationId: string, body: string): Promise<{ elapsedMs: number }> {
  const started = Date.now();
  const res = await browser.post(
    `/conversations/${conversationId}/messages`,
    { body },
    { formUrl: `/conversations/${conversationId}` },
  );
  const elapsedMs = Date.now() - started;
  expect(res.statusCode, `POST /conversations/:id/messages answered ${res.statusCode}`).toBe(303);
  return { elapsedMs };
}

/** A conversation whose issue exists, whose first message and acknowledgement are on it (the
 * acknowledgement in the issue's description since issue #18, no note of it). */
async function mirroredConversation(name: string) {
  const client = await newClient(name);
  const { conversationId } = await openConversation(
    client.browser,
    unique('Panne'),
    'Premier message, avant la panne.',
  );
  const issueId = await eventually(
    () => issueOf(conversationId),
    (id) => id !== null,
    'the issue',
  );
  await eventually(
    () => staff.getIssue(issueId!, { journals: true }),
    (i) =>
      (i?.description ?? '').includes('Accusé de réception envoyé au client le') &&
      (i?.journals ?? []).filter((j) => noteMarkerRefs(j.notes).length > 0).length >= 1,
    'the first note and the acknowledgement',
  );
  await eventually(
    () => listMessages(db, conversationId),
    (m) => m[0]?.redmine_delivery === 'delivered',
    'the first delivery',
  );
  return { ...client, conversationId, issueId: issueId! };
}

async function clientMessages(conversationId: string) {
  return (await listMessages(db, conversationId)).filter((m) => m.author_kind === 'client');
}

/** Journals of an issue carrying Guichet's marker of a message, by message id. */
async function notesByMessage(issueId: number): Promise<Map<string, RedmineJournal[]>> {
  const issue = await staff.getIssue(issueId, { journals: true });
  const byMessage = new Map<string, RedmineJournal[]>();
  for (const journal of issue?.journals ?? []) {
    for (const ref of noteMarkerRefs(journal.notes)) {
      const id = /^message-([0-9a-f-]{36})$/.exec(ref)?.[1];
      if (id) byMessage.set(id, [...(byMessage.get(id) ?? []), journal]);
    }
  }
  return byMessage;
}

/**
 * Every message of `ordered` is on the issue exactly once, and their journals follow the list's
 * order; `unordered` ones are there once too; no other note of a message of ours.
 */
async function expectOnIssueOnceInOrder(issueId: number, ordered: string[], unordered: string[] = []): Promise<void> {
  const notes = await notesByMessage(issueId);
  const all = [...ordered, ...unordered];
  expect(
    all.map((id) => notes.get(id)?.length ?? 0),
    'notes per message on the issue',
  ).toEqual(all.map(() => 1));
  const journalIds = ordered.map((id) => notes.get(id)![0]!.id);
  expect(journalIds, 'journal order = message order').toEqual([...journalIds].sort((a, b) => a - b));
  expect([...notes.keys()].sort()).toEqual([...all].sort());
}

/** What the client reads under their own messages: "Envoyé" (pending) or "Transmis" (delivered). */
async function deliveryLabels(browser: Browser, conversationId: string): Promise<string[]> {
  const page = await browser.get(`/conversations/${conversationId}`);
  expect(page.statusCode).toBe(200);
  return [...page.body.matchAll(/class="delivery (pending|delivered)"/g)].map((m) => m[1]!);
}

async function expectRedmineUnreachable(): Promise<void> {
  await expect(fetch(`${proxy.url}/issues.json`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
}

describe('Redmine outage', () => {
  it('keeps the messages clients write while Redmine is down and delivers them once, in order, when it returns; staff notes written meanwhile reach the client once', async () => {
    const { browser, conversationId, issueId } = await mirroredConversation('Claire Martin');
    const journalsBefore = (await staff.getIssue(issueId, { journals: true }))!.journals!.length;

    await proxy.cut();
    await expectRedmineUnreachable();
    const bodies = [
      'Suite 1 : la fuite reprend.',
      'Suite 2 : photo envoyée par courrier.',
      'Suite 3 : le voisin est prévenu.',
      'Suite 4 : disponible demain matin.',
      'Suite 5 : merci !',
    ];
    for (const body of bodies) {
      const { elapsedMs } = await write(browser, conversationId, body);
      // Answered at once: the HTTP request never waits for Redmine.
      expect(elapsedMs).toBeLessThan(3000);
    }
    let mine = await clientMessages(conversationId);
    expect(mine.map((m) => m.body)).toEqual(['Premier message, avant la panne.', ...bodies]);
    expect(mine.slice(1).map((m) => m.redmine_delivery)).toEqual(bodies.map(() => 'pending'));
    expect(await deliveryLabels(browser, conversationId)).toEqual(['delivered', ...bodies.map(() => 'pending')]);

    // Staff answer in Redmine meanwhile (directly); nothing of it can reach Guichet yet. Posted
    // right after a second begins, so that they share Redmine's whole-second time and only their
    // journal ids tell their order (Redmine runs on this machine, on the same clock).
    const staffNotes = [
      'Pendant la panne : un plombier est prévenu.',
      'Pendant la panne : il passe jeudi.',
      'Pendant la panne : prévoir l’accès à la cave.',
    ];
    await sleep(1000 - (Date.now() % 1000) + 20);
    for (const notes of staffNotes) await staff.addNote(issueId, { notes });
    await sleep(3000);
    // Staff see none of the new messages: they wait in the workflow.
    const during = (await staff.getIssue(issueId, { journals: true }))!.journals!;
    expect(during).toHaveLength(journalsBefore + staffNotes.length);
    expect((await listMessages(db, conversationId)).some((m) => m.author_kind === 'staff')).toBe(false);
    expect((await clientMessages(conversationId)).slice(1).every((m) => m.redmine_delivery === 'pending')).toBe(true);

    await proxy.restore();
    const restored = Date.now();
    mine = await eventually(
      () => clientMessages(conversationId),
      (m) => m.every((x) => x.redmine_delivery === 'delivered'),
      'every message delivered',
      RECOVERY_MS,
    );
    const deliveredAfterMs = Date.now() - restored;
    await expectOnIssueOnceInOrder(
      issueId,
      mine.map((m) => m.id),
    );
    expect(mine.every((m) => m.redmine_journal_id !== null)).toBe(true);
    const staffMessages = await eventually(
      async () => (await listMessages(db, conversationId)).filter((m) => m.author_kind === 'staff'),
      (m) => m.length >= staffNotes.length,
      'the staff notes written during the outage',
      RECOVERY_MS,
    );
    expect(staffMessages.map((m) => m.body)).toEqual(staffNotes);
    expect(await deliveryLabels(browser, conversationId)).toEqual(mine.map(() => 'delivered'));

    // Settled: further polls and rescans add nothing, on either side.
    await sleep(4000);
    await expectOnIssueOnceInOrder(
      issueId,
      mine.map((m) => m.id),
    );
    expect(
      (await listMessages(db, conversationId)).filter((m) => m.author_kind === 'staff').map((m) => m.body),
    ).toEqual(staffNotes);
    const issue = (await staff.getIssue(issueId, { journals: true }))!;
    // The acknowledgement once on the issue: in its description (issue #18), no note of it.
    expect(issue.description.match(/Accusé de réception envoyé au client le/g)).toHaveLength(1);
    expect(issue.journals!.filter((j) => noteMarkerRefs(j.notes).some((r) => r.startsWith('ack-')))).toHaveLength(0);
    expect(deliveredAfterMs).toBeLessThan(RECOVERY_MS);
  });

  it('serves two conversations at once: one opened during the outage gets its issue once, both threads arrive in order, a back-office answer too', async () => {
    const first = await mirroredConversation('Paul Durand');
    const second = await newClient('Nora Petit');
    const agent = await createStaff(db, { name: 'Julien Bernard', spaces: [space] });
    const office = new Browser(system.app!);
    await office.login(agent.account.email, agent.password, 'staff');

    // This time the connections are accepted and closed at once (a host up, its Redmine not).
    await proxy.cut({ mode: 'reset' });
    await expectRedmineUnreachable();
    const opened = await openConversation(
      second.browser,
      unique('Ouverte pendant la panne'),
      'Ouverte pendant la panne.',
    );
    expect(opened.elapsedMs).toBeLessThan(3000);
    const secondId = opened.conversationId;
    // Both clients write at the same time, and a staff member answers in the back-office.
    await Promise.all([
      (async () => {
        for (let i = 1; i <= 4; i++) await write(first.browser, first.conversationId, `A-${i}`);
      })(),
      (async () => {
        for (let i = 1; i <= 4; i++) await write(second.browser, secondId, `B-${i}`);
      })(),
      (async () => {
        await sleep(300);
        const res = await office.post(
          `/back-office/conversations/${first.conversationId}/reponses`,
          { body: 'Réponse du back-office pendant la panne.' },
          { formUrl: `/back-office/conversations/${first.conversationId}` },
        );
        expect(res.statusCode).toBe(303);
      })(),
    ]);
    await sleep(2000);
    expect(proxy.refused, 'Guichet kept trying').toBeGreaterThan(0);
    expect(await issueOf(secondId)).toBeNull();
    expect((await clientMessages(secondId)).map((m) => m.redmine_delivery)).toEqual([
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    expect(await deliveryLabels(second.browser, secondId)).toEqual([
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);

    await proxy.restore();
    const secondIssue = await eventually(
      () => issueOf(secondId),
      (id) => id !== null,
      'the issue of the conversation opened during the outage',
      RECOVERY_MS,
    );
    for (const conversationId of [first.conversationId, secondId]) {
      await eventually(
        () => listMessages(db, conversationId),
        (m) => m.filter((x) => x.author_kind !== 'system').every((x) => x.redmine_delivery === 'delivered'),
        `every message of ${conversationId} delivered`,
        RECOVERY_MS,
      );
    }
    // One issue for the conversation opened during the outage, whatever the retries did.
    const candidates = await staff.listIssues({
      projectIds: [project.id],
      customField: { id: emailField, value: second.account.email },
      limit: 100,
    });
    expect(candidates.issues.map((i) => i.id)).toEqual([secondIssue]);

    // Each client's messages in the order written; the back-office answer once.
    const firstThread = await clientMessages(first.conversationId);
    expect(firstThread.map((m) => m.body)).toEqual(['Premier message, avant la panne.', 'A-1', 'A-2', 'A-3', 'A-4']);
    const answers = (await listMessages(db, first.conversationId)).filter((m) => m.author_kind === 'staff');
    expect(answers.map((m) => m.body)).toEqual(['Réponse du back-office pendant la panne.']);
    await expectOnIssueOnceInOrder(
      first.issueId,
      firstThread.map((m) => m.id),
      [answers[0]!.id],
    );
    expect((await notesByMessage(first.issueId)).get(answers[0]!.id)![0]!.notes).toContain('Julien Bernard');
    const secondThread = await clientMessages(secondId);
    expect(secondThread.map((m) => m.body)).toEqual(['Ouverte pendant la panne.', 'B-1', 'B-2', 'B-3', 'B-4']);
    await expectOnIssueOnceInOrder(
      secondIssue!,
      secondThread.map((m) => m.id),
    );
    expect(await deliveryLabels(second.browser, secondId)).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'delivered',
      'delivered',
    ]);
    // The acknowledgement of the conversation opened during the outage: once in the thread, once on the issue.
    expect((await listMessages(db, secondId)).filter((m) => m.kind === 'acknowledgement')).toHaveLength(1);
    // On the issue: in its description, written with the issue (issue #18), and no note of it.
    const secondOnRedmine = (await staff.getIssue(secondIssue!, { journals: true }))!;
    expect(secondOnRedmine.description.match(/Accusé de réception envoyé au client le/g)).toHaveLength(1);
    expect(
      secondOnRedmine.journals!.filter((j) => noteMarkerRefs(j.notes).some((r) => r.startsWith('ack-'))),
    ).toHaveLength(0);
  });

  it('loses and doubles nothing when Redmine goes down while a note is being written and its answer never arrives', async () => {
    const { browser, conversationId, issueId } = await mirroredConversation('Lucie Moreau');
    // The first note PUT of this traffic reaches Redmine; its answer is swallowed and Redmine goes down.
    const swallowed = proxy.cutOnAnswer((r) => r.method === 'PUT' && r.path === `/issues/${issueId}.json`);
    const bodies = Array.from({ length: 8 }, (_, i) => `Pendant le trafic ${i + 1}`);
    const traffic = (async () => {
      for (const body of bodies) {
        await write(browser, conversationId, body);
        await sleep(150);
      }
    })();
    const lost = await Promise.race([swallowed, sleep(30_000).then(() => undefined)]);
    expect(lost, 'a note PUT whose answer the proxy swallowed').toBeDefined();
    expect(proxy.up).toBe(false);
    await traffic;
    await sleep(3000);
    await proxy.restore();

    const mine = await eventually(
      () => clientMessages(conversationId),
      (m) => m.length === bodies.length + 1 && m.every((x) => x.redmine_delivery === 'delivered'),
      'every message delivered',
      RECOVERY_MS,
    );
    expect(mine.map((m) => m.body)).toEqual(['Premier message, avant la panne.', ...bodies]);
    await expectOnIssueOnceInOrder(
      issueId,
      mine.map((m) => m.id),
    );
    await sleep(3000);
    await expectOnIssueOnceInOrder(
      issueId,
      mine.map((m) => m.id),
    );
    // Guichet's own notes never come back as staff messages.
    expect((await listMessages(db, conversationId)).some((m) => m.author_kind === 'staff')).toBe(false);
  });

  it('creates the issue once when Redmine goes down after creating it, before Guichet hears of it', async () => {
    const client = await newClient('Hugo Lambert');
    const swallowed = proxy.cutOnAnswer((r) => r.method === 'POST' && r.path === '/issues.json');
    const { conversationId } = await openConversation(
      client.browser,
      unique('Création perdue'),
      'La réponse de Redmine se perd.',
    );
    const lost = await Promise.race([swallowed, sleep(30_000).then(() => undefined)]);
    expect(lost, 'an issue creation whose answer the proxy swallowed').toBeDefined();
    await write(client.browser, conversationId, 'Et une suite pendant la panne.');
    await sleep(3000);
    // The issue exists in Redmine, Guichet does not know it yet.
    const created = await staff.listIssues({
      projectIds: [project.id],
      customField: { id: emailField, value: client.account.email },
      limit: 100,
    });
    expect(created.issues).toHaveLength(1);
    expect(await issueOf(conversationId)).toBeNull();
    await proxy.restore();

    const mine = await eventually(
      () => clientMessages(conversationId),
      (m) => m.length === 2 && m.every((x) => x.redmine_delivery === 'delivered'),
      'both messages delivered',
      RECOVERY_MS,
    );
    expect(await issueOf(conversationId)).toBe(created.issues[0]!.id);
    const after = await staff.listIssues({
      projectIds: [project.id],
      customField: { id: emailField, value: client.account.email },
      limit: 100,
    });
    expect(after.issues.map((i) => i.id)).toEqual([created.issues[0]!.id]);
    await expectOnIssueOnceInOrder(
      created.issues[0]!.id,
      mine.map((m) => m.id),
    );
  });
});
