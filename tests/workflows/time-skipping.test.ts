// Long waits on the time-skipping test server: an SMTP outage of hours loses no e-mail, and a
// signal for a message that never became visible is given up without blocking the conversation.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Worker } from '@temporalio/worker';
import type { Mailer, OutgoingMail } from '../../connectors/mail/index.js';
import { ConnectorError } from '../../connectors/errors.js';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { createConversation, insertMessage, listMessages } from '../../db/conversations.js';
import { enqueueNotification } from '../../db/notifications.js';
import { createTestWorker, installTestRuntime } from '../helpers/worker.js';
import {
  clientMessageSignal,
  conversationStateQuery,
  conversationWorkflow,
  notificationWorkflow,
} from '../../workflows/index.js';
import { createClient, createSpace } from '../helpers/fixtures.js';

/** A mailer double whose SMTP server is "down" until told otherwise (the real SMTP connector
 * has its own tests against a real server). */
class FlakyMailer implements Mailer {
  readonly delivers = true;
  up = false;
  attempts = 0;
  sent: OutgoingMail[] = [];
  send(mail: OutgoingMail) {
    this.attempts++;
    if (!this.up) return Promise.reject(new ConnectorError('smtp', 'unavailable', 'connection refused'));
    this.sent.push(mail);
    return Promise.resolve({ messageId: `<${mail.reference}>` });
  }
  verify() {
    return Promise.resolve();
  }
  close() {}
}

let env: TestWorkflowEnvironment;
let database: OpenDatabase;
const mailer = new FlakyMailer();
let worker: Worker;
let running: Promise<void>;
const taskQueue = `ts-${randomBytes(4).toString('hex')}`;

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

describe('on the time-skipping server', () => {
  it('delivers an e-mail exactly once after a three-hour SMTP outage', async () => {
    const key = `test:${randomUUID()}`;
    const notification = await enqueueNotification(database.db, {
      idempotencyKey: key,
      recipient: 'client@example.test',
      subject: 'Mot de passe',
      bodyText: 'secret-body',
      sensitive: true,
    });
    const handle = await env.client.workflow.start(notificationWorkflow, {
      workflowId: `notification-${key}`,
      taskQueue,
      args: [{ notificationId: notification.id }],
    });
    await env.sleep('3 hours');
    const attemptsDuringOutage = mailer.attempts;
    expect(attemptsDuringOutage).toBeGreaterThan(3);
    expect(mailer.sent).toHaveLength(0);
    mailer.up = true;
    await expect(handle.result()).resolves.toBe('sent');
    expect(mailer.sent.filter((m) => m.reference === key)).toHaveLength(1);
    const stored = await database.db
      .selectFrom('notifications')
      .selectAll()
      .where('id', '=', notification.id)
      .executeTakeFirstOrThrow();
    expect(stored.status).toBe('sent');
    expect(stored.attempts).toBe(attemptsDuringOutage + 1);
    // A real delivery: the password is not kept in the outbox.
    expect(stored.body_text).not.toContain('secret-body');
  });

  it('gives up on a message that never became visible, then acknowledges the next one', async () => {
    mailer.up = true;
    const db = database.db;
    const space = await createSpace(db);
    const { account } = await createClient(db, { space });
    const conversationId = randomUUID();
    const ghost = randomUUID();
    const handle = await env.client.workflow.start(conversationWorkflow, {
      workflowId: `conversation-${conversationId}`,
      taskQueue,
      args: [{ conversationId }],
    });
    await handle.signal(clientMessageSignal, { messageId: ghost });
    // Twenty attempts with backoff up to 30 s (durable timers past the first seconds): skipped a
    // minute at a time, it gives up within half an hour of workflow time.
    let afterGhost = await handle.query(conversationStateQuery);
    for (let minutes = 0; minutes < 30 && afterGhost.handledEvents === 0; minutes++) {
      await env.sleep('1 minute');
      afterGhost = await handle.query(conversationStateQuery);
    }
    expect(afterGhost).toMatchObject({ acknowledged: false, handledEvents: 1, pendingEvents: 0 });

    const messageId = randomUUID();
    await createConversation(db, {
      id: conversationId,
      spaceId: space.id,
      clientAccountId: account.id,
      subject: 'Après coup',
      cc: '',
    });
    await insertMessage(db, {
      id: messageId,
      conversationId,
      authorKind: 'client',
      authorAccountId: account.id,
      authorDisplayName: account.full_name,
      body: 'Bonjour',
    });
    await handle.signal(clientMessageSignal, { messageId });
    await env.sleep('1 minute');
    const state = await handle.query(conversationStateQuery);
    expect(state).toMatchObject({ acknowledged: true, handledEvents: 2 });
    expect((await listMessages(db, conversationId)).filter((m) => m.kind === 'acknowledgement')).toHaveLength(1);
    expect(mailer.sent.filter((m) => m.reference === `ack-mail:${messageId}`)).toHaveLength(1);
  });
});
