// The answer SLA on the time-skipping server: reminders, escalations, an answer that stops the
// clock, the satisfaction question and the 72 h auto-resolve — each exactly once.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Worker } from '@temporalio/worker';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { createConversation, insertMessage } from '../../db/conversations.js';
import { createTestWorker, installTestRuntime } from '../helpers/worker.js';
import {
  askSatisfactionSignal,
  clientMessageSignal,
  conversationStateQuery,
  conversationWorkflow,
  satisfactionAnswerSignal,
  staffAnswerSignal,
} from '../../workflows/index.js';
import { alertAt, startClock } from '../../domain/sla-clock.js';
import { ConnectorError } from '../../connectors/errors.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../../domain/sla-calendar.js';
import { createClient, createSpace, createStaff, uniqueEmail } from '../helpers/fixtures.js';
import { resetTemplate, saveTemplate } from '../../db/templates.js';
import { RecordingMailer } from '../helpers/mailer.js';

/** Records what would be sent (the SMTP connector is tested against a real server elsewhere). */
const HOUR = 3_600_000;
let env: TestWorkflowEnvironment;
let database: OpenDatabase;
/** Addresses the mail server refuses for good (a 5xx), for the refused-reminder case. */
const refused = new Set<string>();
class RefusingMailer extends RecordingMailer {
  override send(mail: Parameters<RecordingMailer['send']>[0]) {
    if (refused.has(mail.to))
      return Promise.reject(new ConnectorError('smtp', 'invalid_request', 'mailbox unavailable'));
    return super.send(mail);
  }
}
const mailer = new RefusingMailer();
let worker: Worker;
let running: Promise<void>;
const taskQueue = `sla-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  installTestRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
  });
  database = await openDatabase({ url: inject('databaseUrl') });
  worker = await createTestWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    db: database.db,
    mailer,
    // The answer notifier runs on this environment's server too.
    client: env.client,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await database?.close();
  await env?.teardown();
});

/** The test server's time: messages are dated by it, as the worker's clock dates them in production. */
async function envNow(): Promise<Date> {
  return new Date(await env.currentTimeMs());
}

async function setUp(options: { writtenAgo?: number; refuseClient?: boolean } = {}) {
  const db = database.db;
  const space = await createSpace(db);
  const team = uniqueEmail('equipe');
  const manager = uniqueEmail('responsable');
  await db.updateTable('spaces').set({ team_email: team, manager_email: manager }).where('id', '=', space.id).execute();
  const { account } = await createClient(db, { space });
  if (options.refuseClient) refused.add(account.email);
  const conversationId = randomUUID();
  const messageId = randomUUID();
  await createConversation(db, {
    id: conversationId,
    spaceId: space.id,
    clientAccountId: account.id,
    subject: `Demande ${conversationId.slice(0, 6)}`,
    cc: '',
  });
  await insertMessage(db, {
    id: messageId,
    conversationId,
    authorKind: 'client',
    authorAccountId: account.id,
    authorDisplayName: 'Client',
    body: 'Bonjour',
    createdAt: new Date((await env.currentTimeMs()) - (options.writtenAgo ?? 0)),
  });
  const handle = await env.client.workflow.start(conversationWorkflow, {
    workflowId: `conversation-${conversationId}`,
    taskQueue,
    args: [{ conversationId }],
  });
  await handle.signal(clientMessageSignal, { messageId });
  await until(async () => (await handle.query(conversationStateQuery)).clock !== null, 'the answer clock');
  const to = (address: string) => mailer.sent.filter((m) => m.to === address);
  return { db, space, team, manager, client: account, conversationId, handle, to };
}

/** Waits in real time for activities to land (time skipping does not skip their running time). */
async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A staff answer written at `writtenAt` (a Redmine note's own time), else now. */
async function staffAnswers(db: OpenDatabase['db'], conversationId: string, writtenAt?: Date) {
  const id = randomUUID();
  await insertMessage(db, {
    id,
    conversationId,
    authorKind: 'staff',
    authorAccountId: null,
    authorDisplayName: 'Agent',
    body: 'Réponse',
    createdAt: writtenAt ?? (await envNow()),
  });
  return id;
}

describe('answer clock', () => {
  it('reminds the team before the target, alerts the manager before and at the breach, once each', async () => {
    const { db, team, manager, conversationId, handle, to } = await setUp();
    const conversation = await db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(conversation.sla_max_at!.getTime() - conversation.sla_started_at!.getTime()).toBe(48 * HOUR);
    await env.sleep('17 hours');
    expect(to(team)).toHaveLength(0);
    await env.sleep('2 hours'); // 19 h: past 75 % of the 24 h target
    expect(to(team).map((m) => m.subject)).toEqual([expect.stringContaining('Rappel : réponse attendue')]);
    expect(to(manager)).toHaveLength(0);
    await env.sleep('24 hours'); // 43 h: past the pre-breach alert (42 h)
    expect(to(manager).map((m) => m.subject)).toEqual([expect.stringContaining('bientôt dépassé')]);
    await env.sleep('6 hours'); // 49 h: breached
    expect(to(manager).map((m) => m.subject)).toEqual([
      expect.stringContaining('bientôt dépassé'),
      expect.stringContaining('Délai maximal dépassé'),
    ]);
    await env.sleep('5 days');
    expect(to(team)).toHaveLength(1);
    expect(to(manager)).toHaveLength(2);
    expect((await handle.query(conversationStateQuery)).clock?.sent).toEqual(['reminder', 'pre-breach', 'breach']);
  });

  it('stops at the staff answer: no reminder afterwards, the outcome recorded once; a new message starts a new clock', async () => {
    const { db, team, manager, conversationId, handle, to } = await setUp();
    await env.sleep('10 hours');
    const answer = await staffAnswers(db, conversationId);
    await handle.signal(staffAnswerSignal, { messageId: answer });
    await env.sleep('3 days');
    expect(to(team)).toHaveLength(0);
    expect(to(manager)).toHaveLength(0);
    const outcomes = await db
      .selectFrom('sla_outcomes')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .execute();
    expect(outcomes.map((o) => o.outcome)).toEqual(['within_target']);
    const cleared = await db
      .selectFrom('conversations')
      .selectAll()
      .where('id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(cleared.sla_max_at).toBeNull();
    const again = randomUUID();
    await insertMessage(db, {
      id: again,
      conversationId,
      authorKind: 'client',
      authorAccountId: null,
      authorDisplayName: 'Client',
      body: 'Encore une question',
      createdAt: await envNow(),
    });
    await handle.signal(clientMessageSignal, { messageId: again });
    await env.sleep('1 minute');
    expect((await handle.query(conversationStateQuery)).clock?.requestId).toBe(again);
  });

  it('sends the reminder within its spread before the instant, never after, as one workflow task with its mail', async () => {
    const { db, team, conversationId, handle, to } = await setUp();
    const clock = (await handle.query(conversationStateQuery)).clock!;
    const sendAt = alertAt(clock, 'reminder');
    expect(clock.reminderAt - sendAt).toBe(clock.spreadMs);
    expect(clock.spreadMs).toBeLessThanOrEqual(10 * 60_000);
    await env.sleep(sendAt - (await env.currentTimeMs()) - 60_000);
    expect(to(team)).toHaveLength(0);
    await env.sleep('2 minutes');
    await until(() => to(team).length > 0, 'the reminder');
    const sent = await db
      .selectFrom('notifications')
      .select(['sent_at', 'status'])
      .where('conversation_id', '=', conversationId)
      .where('idempotency_key', 'like', 'sla-reminder:%')
      .execute();
    expect(sent.map((n) => n.status)).toEqual(['sent']);
    expect(sent[0]!.sent_at!.getTime()).toBeLessThanOrEqual(clock.reminderAt + 60_000);
    // One local activity: no activity task was scheduled for the reminder (no Redmine issue, no note).
    const history = await handle.fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
    expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name)).not.toContain('slaAlert');
    expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name)).not.toContain(
      'slaAlertNote',
    );
    expect(to(team)).toHaveLength(1);
  });

  it('records a reminder that the mail server refuses for good once, and fires it no more', async () => {
    const { db, team, conversationId, handle } = await setUp();
    refused.add(team);
    try {
      await env.sleep('19 hours');
      await until(
        async () =>
          (
            await db
              .selectFrom('notifications')
              .select('attempts')
              .where('conversation_id', '=', conversationId)
              .where('idempotency_key', 'like', 'sla-reminder:%')
              .executeTakeFirst()
          )?.attempts === 1,
        'the refused reminder',
      );
      await env.sleep('1 hour');
      const rows = await db
        .selectFrom('notifications')
        .select(['status', 'attempts'])
        .where('conversation_id', '=', conversationId)
        .where('idempotency_key', 'like', 'sla-reminder:%')
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.status).not.toBe('sent');
      expect(rows[0]!.attempts).toBe(1);
      expect((await handle.query(conversationStateQuery)).clock?.sent).toEqual(['reminder']);
    } finally {
      refused.delete(team);
    }
  });

  it('acknowledges in the first workflow task; an address the mail server refuses stays failed once and the request goes on', async () => {
    const { db, conversationId, handle, client } = await setUp({ refuseClient: true });
    try {
      const ack = () =>
        db
          .selectFrom('notifications')
          .select(['status', 'attempts'])
          .where('conversation_id', '=', conversationId)
          .where('idempotency_key', 'like', 'ack-mail:%')
          .execute();
      await until(async () => (await ack())[0]?.attempts === 1, 'the refused acknowledgement');
      // The request still went on to its mirror step (settled here: no Redmine).
      await until(
        async () =>
          (
            await db
              .selectFrom('messages')
              .select('redmine_delivery')
              .where('conversation_id', '=', conversationId)
              .where('author_kind', '=', 'client')
              .executeTakeFirstOrThrow()
          ).redmine_delivery === null,
        'the request settled',
      );
      await env.sleep('1 hour');
      const rows = await ack();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ attempts: 1 });
      expect(rows[0]!.status).not.toBe('sent');
      expect(await handle.query(conversationStateQuery)).toMatchObject({ acknowledged: true, handledEvents: 1 });
      // No activity task: the acknowledgement and its e-mail are a local step of the first task.
      const history = await handle.fetchHistory();
      expect(history.events?.filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
    } finally {
      refused.delete(client.email);
    }
  });

  it('counts from when the client wrote, not from when the workflow got the message', async () => {
    // The message waited 20 h (a worker outage): the target is still 24 h after it was written,
    // so the reminder (due at 18 h) goes at once and the target is 4 h away.
    const { db, team, conversationId, handle, to } = await setUp({ writtenAgo: 20 * HOUR });
    const message = await db
      .selectFrom('messages')
      .select('created_at')
      .where('conversation_id', '=', conversationId)
      .where('author_kind', '=', 'client')
      .executeTakeFirstOrThrow();
    const clock = (await handle.query(conversationStateQuery)).clock!;
    expect(clock.startedAt).toBe(message.created_at.getTime());
    expect(clock.targetAt - clock.startedAt).toBe(24 * HOUR);
    await until(() => to(team).length > 0, 'the overdue reminder');
    expect(to(team).map((m) => m.subject)).toEqual([expect.stringContaining('Rappel : réponse attendue')]);
  });

  it('dates an answer by when staff wrote it, even when Guichet learns of it late', async () => {
    // Written in Redmine 10 h after the request, seen 30 h after it (Redmine was unreachable).
    const { db, conversationId, handle } = await setUp();
    const started = (await handle.query(conversationStateQuery)).clock!.startedAt;
    await env.sleep('30 hours');
    const answer = await staffAnswers(db, conversationId, new Date(started + 10 * HOUR));
    await handle.signal(staffAnswerSignal, { messageId: answer, fromRedmine: true });
    await until(
      async () =>
        (await db.selectFrom('sla_outcomes').select('id').where('conversation_id', '=', conversationId).execute())
          .length > 0,
      'the outcome',
    );
    const outcome = await db
      .selectFrom('sla_outcomes')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(outcome.outcome).toBe('within_target');
    expect(outcome.answered_at.getTime()).toBe(started + 10 * HOUR);
  });
});

describe('satisfaction check', () => {
  async function asked() {
    const setup = await setUp();
    const answer = await staffAnswers(setup.db, setup.conversationId);
    await setup.handle.signal(staffAnswerSignal, { messageId: answer });
    await setup.handle.signal(askSatisfactionSignal, { ref: 'q1' });
    const status = async () =>
      (
        await setup.db
          .selectFrom('conversations')
          .select('status')
          .where('id', '=', setup.conversationId)
          .executeTakeFirstOrThrow()
      ).status;
    const question = () =>
      setup.to(setup.client.email).filter((m) => m.subject.startsWith('Votre demande est-elle résolue ?'));
    await until(
      async () => (await status()) === 'waiting_client' && question().length > 0,
      'the satisfaction question',
    );
    expect(question()).toHaveLength(1);
    return { ...setup, status };
  }

  it('resolves automatically 72 h after the question, once, and tells the client', async () => {
    const { client, handle, status, to } = await asked();
    await env.sleep('71 hours');
    expect(await status()).toBe('waiting_client');
    await env.sleep('2 hours');
    expect(await status()).toBe('resolved');
    await env.sleep('10 days');
    expect(to(client.email).filter((m) => m.subject.startsWith('Votre demande a été résolue'))).toHaveLength(1);
    expect((await handle.query(conversationStateQuery)).satisfactionDeadline).toBeNull();
  });

  it('asks and resolves with the edited templates, in the client’s language', async () => {
    const setup = await setUp();
    const { db, client, handle, to } = setup;
    await db.updateTable('accounts').set({ locale: 'en' }).where('id', '=', client.id).execute();
    const { account: editor } = await createStaff(db);
    const as = { accountId: editor.id, uiLocale: 'en' as const };
    await saveTemplate(
      db,
      'satisfaction-question',
      'en',
      { subject: 'Sorted, {{clientFullName}}?', body: 'Is “{{conversationSubject}}” resolved? {{conversationUrl}}' },
      as,
    );
    await saveTemplate(
      db,
      'auto-resolved',
      'en',
      { subject: 'Closed: {{conversationSubject}}', body: 'We closed it for you.' },
      as,
    );
    try {
      await handle.signal(staffAnswerSignal, { messageId: await staffAnswers(db, setup.conversationId) });
      await handle.signal(askSatisfactionSignal, { ref: 'q1' });
      await until(
        () => to(client.email).some((m) => m.subject === `Sorted, ${client.full_name}?`),
        'the edited question',
      );
      const question = to(client.email).find((m) => m.subject === `Sorted, ${client.full_name}?`)!;
      expect(question.text).toContain(`/conversations/${setup.conversationId}`);
      await env.sleep('73 hours');
      await until(
        () => to(client.email).some((m) => m.subject.startsWith('Closed: Demande')),
        'the edited auto-resolve mail',
      );
      expect(to(client.email).find((m) => m.subject.startsWith('Closed: Demande'))!.text).toBe('We closed it for you.');
    } finally {
      await resetTemplate(db, 'satisfaction-question', 'en');
      await resetTemplate(db, 'auto-resolved', 'en');
    }
  });

  it('"yes" resolves at once; "no" opens a new answer clock', async () => {
    const yes = await asked();
    await yes.handle.signal(satisfactionAnswerSignal, { ref: 'q1', resolved: true });
    await until(async () => (await yes.status()) === 'resolved', 'the resolution');
    expect(yes.to(yes.client.email).filter((m) => m.subject.startsWith('Votre demande a été résolue'))).toHaveLength(0);

    const no = await asked();
    await no.handle.signal(satisfactionAnswerSignal, { ref: 'q1', resolved: false });
    await until(async () => (await no.handle.query(conversationStateQuery)).clock !== null, 'a new clock');
    const state = await no.handle.query(conversationStateQuery);
    expect(state.satisfactionDeadline).toBeNull();
    expect(state.clock).not.toBeNull();
    await env.sleep('4 days');
    expect(await no.status()).not.toBe('resolved');
  });

  it('a client message during the 72 h cancels the auto-resolve', async () => {
    const { db, conversationId, handle, status } = await asked();
    await env.sleep('30 hours');
    const reply = randomUUID();
    await insertMessage(db, {
      id: reply,
      conversationId,
      authorKind: 'client',
      authorAccountId: null,
      authorDisplayName: 'Client',
      body: 'Pas tout à fait',
      createdAt: await envNow(),
    });
    await db.updateTable('conversations').set({ status: 'open' }).where('id', '=', conversationId).execute();
    await handle.signal(clientMessageSignal, { messageId: reply });
    await env.sleep('5 days');
    expect(await status()).toBe('open');
    expect((await handle.query(conversationStateQuery)).clock?.requestId).toBe(reply);
  });
});

describe('business hours', () => {
  it('dates the clock of a Friday 17:30 request as the calendar table says', () => {
    const friday = Date.parse('2026-11-20T16:30:00Z'); // 17:30 in Paris
    const clock = startClock('r', friday, {
      calendar: DEFAULT_BUSINESS_CALENDAR,
      targetMs: 24 * HOUR,
      maxMs: 48 * HOUR,
    });
    expect(new Date(clock.targetAt).toISOString()).toBe('2026-11-25T13:30:00.000Z');
    expect(new Date(clock.maxAt).toISOString()).toBe('2026-11-30T10:30:00.000Z');
    expect(clock.reminderAt).toBeLessThan(clock.targetAt);
    expect(clock.preBreachAt).toBeGreaterThan(clock.targetAt);
    expect(clock.preBreachAt).toBeLessThan(clock.maxAt);
  });
});
