// conversationWorkflow against the real dev server, with the real activities, database and SMTP.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createMailer } from '../../connectors/mail/index.js';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { createConversation, insertMessage, listMessages } from '../../db/conversations.js';
import { createTestWorker, installTestRuntime } from '../helpers/worker.js';
import { conversationStateQuery, conversationWorkflowId } from '../../workflows/index.js';
import type { WorkflowGateway } from '../../app/workflow-gateway.js';
import { createTemporalGateway } from '../../temporal/gateway.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

let database: OpenDatabase;
let smtp: TestSmtp;
let connection: Connection;
let nativeConnection: NativeConnection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let gateway: WorkflowGateway;
const taskQueue = `wf-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  installTestRuntime();
  database = await openDatabase({ url: inject('databaseUrl') });
  smtp = await startSmtp();
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  worker = await createTestWorker({
    connection: nativeConnection,
    taskQueue,
    db: database.db,
    mailer: createMailer({ smtpUrl: smtp.url, from: 'test@guichet.test' }),
  });
  running = worker.run();
  gateway = createTemporalGateway(client, taskQueue);
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
  await smtp?.close();
  await database?.close();
});

async function newConversation(cc = '') {
  const db = database.db;
  const space = await createSpace(db);
  const { account } = await createClient(db, { space });
  const conversationId = randomUUID();
  const messageId = randomUUID();
  await createConversation(db, {
    id: conversationId,
    spaceId: space.id,
    clientAccountId: account.id,
    subject: `Sujet ${conversationId.slice(0, 8)}`,
    cc,
  });
  await insertMessage(db, {
    id: messageId,
    conversationId,
    authorKind: 'client',
    authorAccountId: account.id,
    authorDisplayName: account.full_name,
    body: 'Bonjour',
  });
  return { conversationId, messageId, account };
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('conversationWorkflow on the dev server', () => {
  it('acknowledges once even when the same message is signalled twice', async () => {
    const { conversationId, messageId, account } = await newConversation('copie@example.test');
    await gateway.clientMessage(conversationId, messageId);
    await gateway.clientMessage(conversationId, messageId);
    const handle = client.workflow.getHandle(conversationWorkflowId(conversationId));
    const state = await until(
      () => handle.query(conversationStateQuery),
      (s) => s.handledEvents === 2,
    );
    expect(state).toMatchObject({ acknowledged: true, handledEvents: 2, pendingEvents: 0 });
    const acks = (await listMessages(database.db, conversationId)).filter((m) => m.kind === 'acknowledgement');
    expect(acks).toHaveLength(1);
    await smtp.waitFor((m) => smtp.to(account.email).includes(m));
    expect(smtp.to(account.email)).toHaveLength(1);
    expect(smtp.to('copie@example.test')).toHaveLength(1);
    const headers = smtp.to(account.email)[0]!.headers.get('x-guichet-reference');
    expect(headers).toBe(`ack-mail:${messageId}`);
  });

  it('continues as new on a long conversation without losing or repeating an answer', async () => {
    const { conversationId, messageId, account } = await newConversation();
    await gateway.clientMessage(conversationId, messageId);
    const answers: string[] = [];
    for (let i = 0; i < 30; i++) {
      const id = randomUUID();
      answers.push(`Réponse n°${i}.`);
      await insertMessage(database.db, {
        id,
        conversationId,
        authorKind: 'staff',
        authorAccountId: null,
        authorDisplayName: 'Agent',
        body: `Réponse n°${i}.`,
      });
      await gateway.staffAnswer(conversationId, id);
    }
    // The client's notifier groups answers that arrive together (grace 0 here): every answer is
    // in exactly one e-mail, whatever the grouping.
    const told = () => smtp.to(account.email).filter((m) => m.subject?.startsWith('Nouvelle réponse'));
    const allIn = (list: ReturnType<typeof told>) =>
      answers.every((a) => list.filter((m) => (m.text ?? '').includes(a)).length === 1);
    const received = await until(() => Promise.resolve(told()), allIn, 60_000);
    expect(allIn(received)).toBe(true);
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received.length).toBeLessThanOrEqual(30);
    for (const m of received) expect(m.headers.get('x-guichet-reference')).toMatch(/^answer-mail:[0-9a-f]{32}$/);
    // History stayed bounded: the run we talk to now is not the first one.
    const handle = client.workflow.getHandle(conversationWorkflowId(conversationId));
    // The move to a new run follows the last answer's delivery by a workflow task.
    const description = await until(
      () => handle.describe(),
      (d) => d.runId !== d.raw.workflowExecutionInfo?.firstRunId,
    );
    const firstRunId = description.raw.workflowExecutionInfo?.firstRunId;
    expect(firstRunId).toMatch(/^[0-9a-f-]{36}$/);
    expect(description.runId).not.toBe(firstRunId);
    expect(Number(description.historyLength)).toBeLessThan(200);
    const state = await handle.query(conversationStateQuery);
    expect(state.acknowledged).toBe(true);
  });
});
