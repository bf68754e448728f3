// Webhook delivery on the time-skipping test server, with the real activities, the run's
// PostgreSQL and a real HTTP receiver checking signatures with the `standardwebhooks` package:
// a receiver down for a while (503, then connection refused) then back gets every event exactly
// once, in order per case; an endpoint failing for 24 hours is paused and the administrators told,
// and resumes; a delivery that keeps failing while others succeed is given up after 3 days
// without holding other cases, and the next event of its case goes after it.
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { createFileStorage } from '../../app/file-storage.js';
import { createGuichetWorker } from '../../runtime/worker.js';
import { createEndpoint, resume } from '../../app/webhooks/endpoints.js';
import { caseKey, emitWebhookEvent } from '../../app/webhooks/emit.js';
import { findEndpoint } from '../../db/webhooks.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../domain/webhooks.js';
import { webhookDeliveryWorkflow, webhookDeliveryWorkflowId, wakeSignal } from '../../workflows/index.js';
import type { Space } from '../../db/database.js';
import { createSpace, createStaff } from '../helpers/fixtures.js';
import { RecordingMailer } from '../helpers/mailer.js';
import { installTestRuntime } from '../helpers/worker.js';
import { Receiver } from './receiver.js';
import { createDevelopmentSmsProvider } from '../../connectors/sms/index.js';
import { recordDevSms } from '../../db/dev-outbox.js';
import { createTemporalGateway } from '../../temporal/gateway.js';

const taskQueue = `webhooks-${randomUUID().slice(0, 8)}`;
let env: TestWorkflowEnvironment;
let database: OpenDatabase;
let worker: Worker;
let running: Promise<void>;
const mailer = new RecordingMailer();

const wake = {
  webhookEndpoint: async (endpointId: string) => {
    await env.client.workflow.signalWithStart(webhookDeliveryWorkflow, {
      workflowId: webhookDeliveryWorkflowId(endpointId),
      taskQueue,
      args: [{ endpointId }],
      signal: wakeSignal,
      signalArgs: [],
    });
  },
};

beforeAll(async () => {
  installTestRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
  });
  database = await openDatabase({ url: inject('databaseUrl') });
  worker = await createGuichetWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    deps: {
      db: database.db,
      mailer,
      publicUrl: 'http://guichet.test',
      redmine: undefined,
      signals: { staffAnswer: () => Promise.resolve(), askSatisfaction: () => Promise.resolve() },
      storage: createFileStorage(path.join(os.tmpdir(), 'guichet-webhook-test-files')),
      webhookPolicy: { allowLoopback: true, allowPrivateNetworks: false, timeoutMs: 2000 },
      notifier: createTemporalGateway(env.client, taskQueue),
      notifyGraceSeconds: 0,
      sms: createDevelopmentSmsProvider((message) => recordDevSms(database.db, message)),
    },
    workflowBundle: { code: inject('workflowBundleCode') },
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await database?.close();
  await env?.teardown();
});

async function endpointFor(receiver: Receiver, space: Space) {
  const { account } = await createStaff(database.db, { admin: true });
  const endpoint = await createEndpoint(
    database.db,
    wake,
    { id: account.id, ip: null },
    { url: receiver.url, description: 'test', events: [...WEBHOOK_EVENT_TYPES], spaceIds: [space.id] },
  );
  receiver.secret = endpoint.secret;
  return { endpoint, admin: account };
}

async function emit(space: Space, caseId: string, type: WebhookEventType, label: string): Promise<void> {
  await database.db.transaction().execute((tx) =>
    emitWebhookEvent(tx, wake, {
      type,
      orderingKey: caseKey(caseId),
      spaceId: space.id,
      data: { caseId, label },
    }),
  );
}

async function deliveries(endpointId: string) {
  return database.db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhook_events', 'webhook_events.id', 'webhook_deliveries.event_id')
    .select([
      'webhook_deliveries.id',
      'webhook_deliveries.status',
      'webhook_deliveries.attempts',
      'webhook_events.id as eventId',
      'webhook_events.payload',
    ])
    .where('endpoint_id', '=', endpointId)
    .orderBy('webhook_deliveries.seq')
    .execute();
}

async function attemptsOf(endpointId: string) {
  return database.db
    .selectFrom('webhook_attempts')
    .innerJoin('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id')
    .select(['webhook_attempts.status_code', 'webhook_attempts.ok', 'webhook_attempts.error'])
    .where('webhook_deliveries.endpoint_id', '=', endpointId)
    .execute();
}

/** The test's endpoint removed: its workflow ends (and skipped time no longer wakes it). */
async function retire(receiver: Receiver, endpointId: string): Promise<void> {
  await receiver.stop();
  await database.db.deleteFrom('webhook_endpoints').where('id', '=', endpointId).execute();
  await wake.webhookEndpoint(endpointId);
  await env.client.workflow.getHandle(webhookDeliveryWorkflowId(endpointId)).result();
}

/** Skips time in steps until `done` holds (or fails after `steps`). */
async function skipUntil(done: () => Promise<boolean>, step: string, steps = 40): Promise<void> {
  for (let i = 0; i < steps; i++) {
    if (await done()) return;
    await env.sleep(step);
  }
  expect(await done()).toBe(true);
}

/** The position of the first 2xx receipt of the event labelled `label`. */
function successIndex(receiver: Receiver, label: string): number {
  return receiver.received.findIndex((r) => r.status < 300 && r.body.data.label === label);
}

describe('webhook delivery', () => {
  it('delivers every event once, in order per case, to a receiver that is down for a while', async () => {
    const receiver = new Receiver();
    await receiver.start();
    receiver.answer = 503;
    const space = await createSpace(database.db);
    const { endpoint } = await endpointFor(receiver, space);
    const caseA = randomUUID();
    const caseB = randomUUID();
    await emit(space, caseA, 'piece.deposited', 'A1');
    await emit(space, caseB, 'piece.deposited', 'B1');
    await emit(space, caseA, 'piece.validated', 'A2');
    await emit(space, caseA, 'case.completed', 'A3');
    await emit(space, caseB, 'piece.refused', 'B2');

    await skipUntil(async () => receiver.received.length >= 4, '20 seconds');
    await env.sleep('5 minutes');
    await receiver.stop(); // connection refused from now on
    await env.sleep('40 minutes');
    receiver.answer = 200;
    await receiver.start();
    await skipUntil(async () => (await deliveries(endpoint.id)).every((d) => d.status === 'delivered'), '30 minutes');

    const rows = await deliveries(endpoint.id);
    expect(rows).toHaveLength(5);
    // Each event's id succeeded exactly once, and every request's signature checked out.
    const successes = receiver.successes();
    expect([...successes.keys()].sort()).toEqual(rows.map((r) => r.eventId).sort());
    expect([...successes.values()].every((n) => n === 1)).toBe(true);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    // Failed attempts were made and recorded: 503 answers and refused connections.
    const attempts = await attemptsOf(endpoint.id);
    expect(attempts.filter((a) => a.status_code === 503).length).toBeGreaterThanOrEqual(2);
    expect(attempts.some((a) => a.status_code === null && (a.error ?? '').includes('ECONNREFUSED'))).toBe(true);
    expect(attempts.filter((a) => a.ok)).toHaveLength(5);
    // In order per case: no later event of a case was even sent before the earlier one succeeded.
    for (const [earlier, later] of [
      ['A1', 'A2'],
      ['A2', 'A3'],
      ['B1', 'B2'],
    ] as const) {
      const firstLater = receiver.received.findIndex((r) => r.body.data.label === later);
      expect(successIndex(receiver, earlier)).toBeLessThan(firstLater);
    }
    expect((await findEndpoint(database.db, endpoint.id))?.status).toBe('active');
    await retire(receiver, endpoint.id);
  });

  it('pauses an endpoint failing for 24 hours, tells the administrators, and resumes', async () => {
    const receiver = new Receiver();
    await receiver.start();
    receiver.answer = 503;
    const space = await createSpace(database.db);
    const { endpoint, admin } = await endpointFor(receiver, space);
    await emit(space, randomUUID(), 'message.received', 'M1');

    await skipUntil(async () => receiver.received.length >= 1, '20 seconds');
    await env.sleep('22 hours');
    expect((await findEndpoint(database.db, endpoint.id))?.status).toBe('active');
    await skipUntil(async () => (await findEndpoint(database.db, endpoint.id))?.status === 'paused', '1 hour', 10);
    await skipUntil(async () => mailer.sent.some((m) => m.to === admin.email), '1 minute', 10);
    const mail = mailer.sent.find((m) => m.to === admin.email)!;
    expect(mail.subject).toBe('Webhooks : un point de réception est en pause');
    expect(mail.text).toContain(`http://guichet.test/back-office/webhooks/${endpoint.id}`);

    // Paused: nothing more is tried.
    const before = receiver.received.length;
    await env.sleep('1 day');
    expect(receiver.received.length).toBe(before);

    receiver.answer = 200;
    expect(await resume(database.db, wake, { id: admin.id, ip: null }, endpoint.id)).toBe(true);
    await skipUntil(async () => receiver.successes().size === 1, '10 seconds');
    expect([...receiver.successes().values()]).toEqual([1]);
    expect((await findEndpoint(database.db, endpoint.id))?.failing_since).toBeNull();
    await retire(receiver, endpoint.id);
  }, 180_000);

  it('gives a delivery up after 3 days while others succeed; the next event of its case then goes', async () => {
    const receiver = new Receiver();
    await receiver.start();
    // The receiver refuses one event for good, and takes every other.
    receiver.answer = (body) => (body.data.label === 'poison' ? 400 : 200);
    const space = await createSpace(database.db);
    const { endpoint } = await endpointFor(receiver, space);
    const caseA = randomUUID();
    await emit(space, caseA, 'piece.refused', 'poison');
    await emit(space, caseA, 'piece.validated', 'after-poison');
    // Other cases keep succeeding: the endpoint is never failing for 24 hours in a row.
    for (let hour = 0; hour <= 80; hour += 6) {
      await emit(space, randomUUID(), 'piece.deposited', `other-${hour}`);
      await env.sleep('6 hours');
    }
    await skipUntil(async () => successIndex(receiver, 'after-poison') >= 0, '10 minutes');

    const rows = await deliveries(endpoint.id);
    const poison = rows.find((r) => r.payload.label === 'poison')!;
    expect(poison.status).toBe('failed');
    expect(poison.attempts).toBeGreaterThan(10);
    const lastPoison = receiver.received.map((r) => r.body.data.label).lastIndexOf('poison');
    const firstAfter = receiver.received.findIndex((r) => r.body.data.label === 'after-poison');
    expect(firstAfter).toBeGreaterThan(lastPoison);
    // Every other event was delivered once, on time, while the poison one waited.
    expect(rows.filter((r) => r.status === 'delivered')).toHaveLength(rows.length - 1);
    expect([...receiver.successes().values()].every((n) => n === 1)).toBe(true);
    expect((await findEndpoint(database.db, endpoint.id))?.status).toBe('active');
    await retire(receiver, endpoint.id);
  }, 180_000);
});
