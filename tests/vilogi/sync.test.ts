// The Vilogi sync end to end: the contract's simulator, the real Redmine 5.0, Temporal, PostgreSQL
// and SMTP. Each Vilogi request becomes one conversation and one issue (or one triage issue), its
// notification is processed once with "Espace client", also when a run is killed half-way and
// when 30 % of the simulator's calls fail or time out.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { openDatabase, type Db } from '../../db/connect.js';
import type { Space } from '../../db/database.js';
import { createRedmineClient, type RedmineClient } from '../../connectors/redmine/index.js';
import { startVilogiSimulator, tinyPdf, type VilogiSimulator } from '../../connectors/vilogi/simulator.js';
import type { RunningSystem } from '../../runtime/system.js';
import { ensureVilogiSchedule } from '../../runtime/vilogi.js';
import { vilogiScheduleId, vilogiSyncWorkflow, type VilogiSyncResult } from '../../workflows/index.js';
import { createClient, createSpace, createStaff, uniqueEmail } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique } from '../helpers/redmine.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let sim: VilogiSimulator;
let smtp: TestSmtp;
let staff: RedmineClient;
let admin: RedmineAdmin;
let space: Space;
let db: Db;
let temporal: Client;
let connection: Connection;
let demoProjectId: number;
let triageProjectId: number;
const EMAIL_FIELD = 1;

/** A project of this file's own (test files share Redmine: another file's poller must not read
 * our issues, nor we theirs), set up like guichet-demo, the API user a member. */
async function createProject(apiKey: string, label: string): Promise<{ id: number; identifier: string }> {
  const identifier = `guichet-${label}-${randomBytes(4).toString('hex')}`;
  const trackers = await staff.listTrackers();
  const fields = ((await staff.listCustomFields()) ?? []).filter((f) => f.customizedType === 'issue');
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

beforeAll(async () => {
  const env = redmineTestEnv();
  smtp = await startSmtp();
  staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  admin = new RedmineAdmin(env);
  const project = await createProject(env.apiKey, 'vilogi');
  demoProjectId = project.id;
  const triage = await createProject(env.apiKey, 'tri');
  triageProjectId = triage.id;
  const probe = await openDatabase({ url: inject('databaseUrl') });
  space = await createSpace(probe.db, 'Gestion locative');
  await probe.close();
  // Test files share one database: request ids of our own.
  sim = await startVilogiSimulator({ seed: 42, idPrefix: `VS-${randomBytes(3).toString('hex')}-` });
  system = await startTestSystem({
    SMTP_URL: smtp.url,
    REDMINE_URL: env.url,
    STAFF_LOGIN: 'local',
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${space.slug}=${project.identifier}`,
    REDMINE_POLL_SECONDS: '1',
    VILOGI_URL: sim.url,
    VILOGI_SERVICES: `*=${project.identifier}`,
    VILOGI_TRIAGE_PROJECT: triage.identifier,
    VILOGI_TIMEOUT_SECONDS: '0.5',
    // Midnight UTC: the schedule does not fire during the test; runs are started here.
    VILOGI_SYNC_MINUTES: '1440',
  });
  db = system.database.db;
  connection = await Connection.connect({ address: inject('temporalAddress') });
  temporal = new Client({ connection });
});

afterAll(async () => {
  await system?.stop();
  await sim?.close();
  await smtp?.close();
  await connection?.close();
  await admin?.cleanUp();
});

function runSync(workflowId = `vilogi-test-${randomBytes(4).toString('hex')}`): Promise<VilogiSyncResult> {
  return temporal.workflow.execute(vilogiSyncWorkflow, {
    workflowId,
    taskQueue: system.config.TEMPORAL_TASK_QUEUE,
    args: [{ trigger: 'manual' }],
  });
}

async function eventually<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Issues of a project whose subject is one of ours, by subject. */
async function issuesBySubject(projectId: number, subjects: string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(subjects.map((s) => [s, []]));
  for (let offset = 0; ; offset += 100) {
    const page = await staff.listIssues({
      projectIds: [projectId],
      updatedSince: new Date(Date.now() - 3600_000),
      limit: 100,
      offset,
    });
    for (const issue of page.issues) out.get(issue.subject)?.push(issue.id);
    if (page.issues.length < 100) break;
  }
  for (const ids of out.values()) ids.forEach((id) => admin.trackIssue(id));
  return out;
}

/** Every request once: one row, one conversation, one issue, one processing event in Vilogi. */
async function expectExactlyOnce(ids: string[], subjects: string[]) {
  const rows = await db.selectFrom('vilogi_requests').selectAll().where('vilogi_id', 'in', ids).execute();
  expect(rows).toHaveLength(ids.length);
  const conversations = await db
    .selectFrom('conversations')
    .select(['id', 'redmine_issue_id', 'subject'])
    .where('subject', 'in', subjects)
    .execute();
  expect(conversations).toHaveLength(ids.length);
  const issues = await issuesBySubject(demoProjectId, subjects);
  for (const [subject, found] of issues) expect(found, subject).toHaveLength(1);
  for (const row of rows) {
    const simulated = sim.get(row.vilogi_id)!;
    expect(simulated.status).toBe('processed');
    expect(simulated.processed!.eventModel).toBe('Espace client');
    expect(row.vilogi_event_id).toBe(simulated.processed!.eventId);
    const conversation = conversations.find((c) => c.id === row.conversation_id)!;
    expect(simulated.processed!.reference).toBe(`redmine-issue-${conversation.redmine_issue_id}`);
  }
}

describe('Vilogi sync', () => {
  it('is scheduled at start-up (interval, overlaps skipped, bounded catch-up) and the schedule is updated, not doubled, by another start', async () => {
    const handle = temporal.schedule.getHandle(vilogiScheduleId(system.config.TEMPORAL_TASK_QUEUE));
    const before = await handle.describe();
    expect(before.spec.intervals?.[0]?.every).toBe(1440 * 60_000);
    expect(before.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(before.policies.catchupWindow).toBe(60 * 60_000);
    expect(before.action.type).toBe('startWorkflow');
    await ensureVilogiSchedule(temporal, {
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      everyMinutes: 720,
      catchupMinutes: 30,
    });
    const after = await handle.describe();
    expect(after.spec.intervals?.[0]?.every).toBe(720 * 60_000);
    expect(after.policies.catchupWindow).toBe(30 * 60_000);
    expect(after.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    await ensureVilogiSchedule(temporal, {
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      everyMinutes: 1440,
      catchupMinutes: 60,
    });
  });

  it('brings each request into Redmine once, processes its notification, files the one without e-mail in triage', async () => {
    const tag = unique('v');
    const { account: known, password: knownPassword } = await createClient(db, { space, name: 'Claire Martin' });
    const newEmail = uniqueEmail('nouveau');
    const withFile = sim.add({
      subject: `Fuite ${tag}`,
      author: { email: known.email.toUpperCase(), name: 'Claire Martin' },
      building: 'Les Tilleuls',
      lot: 'Lot 12',
      service: 'gestion',
      body: 'Une fuite sous l’évier.',
      attachments: [
        { id: 'P1', fileName: 'photo.pdf', contentType: 'application/pdf', data: tinyPdf('photo') },
        { id: 'X1', fileName: 'macro.docm', contentType: 'application/octet-stream', data: Buffer.from('PK...') },
      ],
    });
    const newcomer = sim.add({
      subject: `AG ${tag}`,
      author: { email: newEmail, name: 'Paul Durand' },
      service: 'copropriete',
      body: 'Date de l’AG ?',
    });
    const anonymous = sim.add({
      subject: `Interphone ${tag}`,
      author: { email: null, name: 'Inconnu' },
      service: 'gestion',
      body: 'Interphone en panne.',
      attachments: [{ id: 'P2', fileName: 'plan.pdf', contentType: 'application/pdf', data: tinyPdf('plan') }],
    });

    const result = await runSync();
    expect(result).toMatchObject({ fetched: 3, created: 2, known: 0, triage: 1, processed: 3, failed: 0 });
    await expectExactlyOnce([withFile.id, newcomer.id], [withFile.subject, newcomer.subject]);

    // The known client's conversation, with the accepted file mirrored and the refused one named.
    const row = await db
      .selectFrom('vilogi_requests')
      .selectAll()
      .where('vilogi_id', '=', withFile.id)
      .executeTakeFirstOrThrow();
    const conversation = await db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', row.conversation_id!)
      .executeTakeFirstOrThrow();
    expect(conversation.client_account_id).toBe(known.id);
    const issue = await staff.getIssue(conversation.redmine_issue_id!, { journals: true, attachments: true });
    expect(issue!.customFields.find((f) => f.id === EMAIL_FIELD)?.value).toBe(known.email);
    expect(issue!.attachments!.map((a) => a.filename)).toEqual(['photo.pdf']);
    // The request's origin is in the issue's internal description, written with the issue
    // (issue #18), not in a private note after it.
    expect(issue!.description).toContain('extranet Vilogi');
    expect(issue!.description).toContain(withFile.id);
    expect(issue!.description).toContain('Les Tilleuls');
    expect(issue!.description).toContain('Espace client');
    expect(row.origin_in_issue_at).not.toBeNull();
    expect(issue!.journals!.filter((j) => j.notes.includes(withFile.id))).toEqual([]);
    const clientNote = issue!.journals!.find((j) => j.notes.includes('Une fuite sous l’évier.'))!;
    expect(clientNote.notes).toContain('macro.docm (format non accepté)');
    // The newcomer has an account now (no password until they ask for one), and the acknowledgement.
    const newcomerAccount = await db
      .selectFrom('accounts')
      .selectAll()
      .where('email', '=', newEmail)
      .executeTakeFirstOrThrow();
    expect(newcomerAccount.password_hash).toBeNull();
    await smtp.waitFor(
      (m) =>
        (m.to as { text: string } | undefined)?.text.includes(newEmail) === true ||
        JSON.stringify(m.to).includes(newEmail),
    );

    // The request without e-mail: a triage issue with its file and a private note, processed too.
    const triageRow = await db
      .selectFrom('vilogi_requests')
      .selectAll()
      .where('vilogi_id', '=', anonymous.id)
      .executeTakeFirstOrThrow();
    expect(triageRow.kind).toBe('triage');
    const triageIssue = await staff.getIssue(admin.trackIssue(triageRow.redmine_issue_id!), {
      journals: true,
      attachments: true,
    });
    expect(triageIssue!.projectId).toBe(triageProjectId);
    expect(triageIssue!.subject).toBe(anonymous.subject);
    expect(triageIssue!.attachments!.map((a) => a.filename)).toEqual(['plan.pdf']);
    expect(triageIssue!.journals!.filter((j) => j.notes.includes('À trier'))).toEqual([
      expect.objectContaining({ privateNotes: true }),
    ]);
    expect(sim.get(anonymous.id)!.processed!.reference).toBe(`redmine-issue-${triageRow.redmine_issue_id}`);

    // Staff answer on the triage issue: the public note goes back to Vilogi, once; the private never.
    await staff.addNote(triageRow.redmine_issue_id!, { notes: 'NOTE-INTERNE ne pas transmettre', privateNotes: true });
    await staff.addNote(triageRow.redmine_issue_id!, { notes: 'Bonjour, un technicien passe demain.' });
    const second = await runSync();
    expect(second).toMatchObject({ fetched: 0, created: 0, replies: 1 });
    await runSync();
    const messages = sim.get(anonymous.id)!.messages;
    expect(messages.map((m) => m.body)).toEqual(['Bonjour, un technicien passe demain.']);
    expect(messages[0]!.author).toBe('Redmine Admin');

    // The conversation's exchange goes back to Vilogi too, once each and in order: staff's public
    // answer (mirrored from Redmine) and the client's follow-up; never the private note, nor the
    // request itself or the acknowledgement.
    await staff.addNote(conversation.redmine_issue_id!, { notes: 'NOTE-INTERNE conversation', privateNotes: true });
    await staff.addNote(conversation.redmine_issue_id!, { notes: 'Un plombier passe jeudi.' });
    await eventually(
      () =>
        db
          .selectFrom('messages')
          .select('body')
          .where('conversation_id', '=', conversation.id)
          .where('author_kind', '=', 'staff')
          .execute(),
      (rows) => rows.some((r) => r.body === 'Un plombier passe jeudi.'),
      'the staff answer in Guichet',
    );
    const clientBrowser = new Browser(system.app!);
    await clientBrowser.login(known.email, knownPassword);
    const followUp = await clientBrowser.post(
      `/conversations/${conversation.id}/messages`,
      { body: 'Merci, je serai là.' },
      { formUrl: `/conversations/${conversation.id}` },
    );
    expect(followUp.statusCode).toBe(303);
    expect(await runSync()).toMatchObject({ replies: 2 });
    expect(await runSync()).toMatchObject({ replies: 0 });
    expect(sim.get(withFile.id)!.messages.map((m) => [m.from, m.author, m.body])).toEqual([
      ['staff', 'Redmine Admin', 'Un plombier passe jeudi.'],
      ['client', 'Claire Martin', 'Merci, je serai là.'],
    ]);

    // The back-office shows the runs; "sync now" starts one. The triage project is mapped to no
    // space here: its list is the administrators', a staff member of the space does not see it.
    const { account: member, password: memberPassword } = await createStaff(db, { spaces: [space] });
    const memberBrowser = new Browser(system.app!);
    await memberBrowser.login(member.email, memberPassword, 'staff');
    const memberPage = await memberBrowser.get('/back-office/vilogi');
    expect(memberPage.statusCode).toBe(200);
    expect(memberPage.body).not.toContain(anonymous.subject);
    const { account: agent, password } = await createStaff(db, { admin: true });
    const browser = new Browser(system.app!);
    await browser.login(agent.email, password, 'staff');
    const page = await browser.get('/back-office/vilogi');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Synchronisation Vilogi');
    expect(page.body).toContain(anonymous.subject);
    const before = await db.selectFrom('vilogi_runs').select('id').where('trigger', '=', 'manual').execute();
    const started = await browser.post('/back-office/vilogi/synchroniser', {}, { formUrl: '/back-office/vilogi' });
    expect(started.statusCode).toBe(303);
    expect(started.headers.location).toBe('/back-office/vilogi?lance=1');
    await eventually(
      () => db.selectFrom('vilogi_runs').select('id').where('trigger', '=', 'manual').execute(),
      (rows) => rows.length > before.length,
      'the manual run',
    );
    const anonymousPage = await new Browser(system.app!).get('/back-office/vilogi');
    expect(anonymousPage.statusCode).toBe(302);
  });

  it('creates no duplicate when a run is killed half-way and run again', async () => {
    const tag = unique('k');
    const requests = Array.from({ length: 12 }, (_, i) =>
      sim.add({
        subject: `Kill ${tag} ${i}`,
        author: { email: uniqueEmail(`kill${i}`), name: `Client ${i}` },
        service: 'gestion',
        body: `Demande ${i}`,
      }),
    );
    const ids = requests.map((r) => r.id);
    // Slow enough that the run, importing a few requests at once, is still at it when killed.
    sim.setFaults({ latencyMs: 300 });
    const killedId = `vilogi-killed-${randomBytes(4).toString('hex')}`;
    const handle = await temporal.workflow.start(vilogiSyncWorkflow, {
      workflowId: killedId,
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      args: [{ trigger: 'manual' }],
    });
    await eventually(
      () => db.selectFrom('vilogi_requests').select('vilogi_id').where('vilogi_id', 'in', ids).execute(),
      (rows) => rows.length >= 3,
      'a few imports',
    );
    await handle.terminate('killed half-way by the test');
    const imported = (
      await db.selectFrom('vilogi_requests').select('vilogi_id').where('vilogi_id', 'in', ids).execute()
    ).length;
    // Its row never got its end: the back-office shows it interrupted, not running for ever.
    const { account: agent, password } = await createStaff(db, { spaces: [space] });
    const office = new Browser(system.app!);
    await office.login(agent.email, password, 'staff');
    const runsPage = await office.get('/back-office/vilogi');
    const row = /<tr[^>]*>(?:(?!<\/tr>)[\s\S])*<\/tr>/g;
    const rows = [...runsPage.body.matchAll(row)].map((m) => m[0]);
    const started = await db
      .selectFrom('vilogi_runs')
      .select(['id', 'status'])
      .where('id', '=', killedId)
      .executeTakeFirstOrThrow();
    expect(started.status).toBe('running');
    // The newest run is the first row under the header.
    expect(rows[1]).toContain('interrompue');
    expect(rows[1]).not.toContain('en cours');
    expect(imported).toBeLessThan(12);
    sim.setFaults({ latencyMs: 0 });

    // The killed run's activity goes on with its batch after the kill (it hears of it only at a
    // heartbeat): it may import more requests, and finish some, which the rerun then no longer
    // fetches. Whichever run got to a request, each is done exactly once (below).
    const finishedBeforeRerun = ids.filter((id) => sim.get(id)!.status === 'processed').length;
    const rerun = await runSync();
    expect(rerun.failed).toBe(0);
    expect(rerun.created + rerun.known).toBeLessThanOrEqual(12 - finishedBeforeRerun);
    // Nothing the killed run had imported is imported again.
    expect(rerun.created).toBeLessThanOrEqual(12 - imported);
    await expectExactlyOnce(
      ids,
      requests.map((r) => r.subject),
    );
  }, 180_000);

  it('processes every request exactly once while 30 % of the simulator’s calls fail or time out', async () => {
    const tag = unique('f');
    const requests = Array.from({ length: 15 }, (_, i) =>
      sim.add({
        subject: `Panne ${tag} ${i}`,
        author: { email: uniqueEmail(`flaky${i}`), name: `Client ${i}` },
        service: 'gestion',
        body: `Demande ${i}`,
        attachments:
          i % 3 === 0
            ? [{ id: `F${i}`, fileName: `piece-${i}.pdf`, contentType: 'application/pdf', data: tinyPdf(`piece ${i}`) }]
            : [],
      }),
    );
    sim.resetStats();
    sim.setFaults({ failureRate: 0.15, timeoutRate: 0.15, hangMs: 1500 });
    try {
      const result = await runSync();
      expect(result.failed).toBe(0);
      expect(result.fetched).toBe(15);
      expect(result.created).toBe(15);
    } finally {
      sim.setFaults({ failureRate: 0, timeoutRate: 0 });
    }
    const stats = sim.stats();
    expect(stats.failuresInjected).toBeGreaterThan(0);
    expect(stats.timeoutsInjected).toBeGreaterThan(0);
    await expectExactlyOnce(
      requests.map((r) => r.id),
      requests.map((r) => r.subject),
    );
    // Each accepted file reached its issue once, whatever was repeated.
    for (const r of requests.filter((_, i) => i % 3 === 0)) {
      const row = await db
        .selectFrom('vilogi_requests')
        .innerJoin('conversations', 'conversations.id', 'vilogi_requests.conversation_id')
        .select('conversations.redmine_issue_id')
        .where('vilogi_id', '=', r.id)
        .executeTakeFirstOrThrow();
      const issue = await staff.getIssue(row.redmine_issue_id!, { attachments: true });
      expect(issue!.attachments!.map((a) => a.filename)).toEqual([r.attachments[0]!.fileName]);
    }
  }, 180_000);
});
