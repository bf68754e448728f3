// A worker killed while an SLA deadline is pending (dev server, real time): after a restart the
// reminder still fires, once.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createMailer } from '../../connectors/mail/index.js';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { createConversation, insertMessage } from '../../db/conversations.js';
import { createTestWorker, installTestRuntime } from '../helpers/worker.js';
import { clientMessageSignal, conversationStateQuery, conversationWorkflow } from '../../workflows/index.js';
import { createClient, createSpace, uniqueEmail } from '../helpers/fixtures.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

let database: OpenDatabase;
let smtp: TestSmtp;
let connection: Connection;
let client: Client;
const taskQueue = `restart-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  installTestRuntime();
  database = await openDatabase({ url: inject('databaseUrl') });
  smtp = await startSmtp();
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await smtp?.close();
  await database?.close();
});

async function startWorker(): Promise<{ worker: Worker; running: Promise<void>; native: NativeConnection }> {
  const native = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await createTestWorker({
    connection: native,
    taskQueue,
    db: database.db,
    mailer: createMailer({ smtpUrl: smtp.url, from: 'test@guichet.test' }),
  });
  return { worker, running: worker.run(), native };
}

describe('worker restart', () => {
  it('fires a pending reminder once after the worker was stopped and started again', async () => {
    const db = database.db;
    const space = await createSpace(db);
    const team = uniqueEmail('equipe');
    // A target of 8 seconds: the reminder is due at 6 s.
    await db
      .updateTable('spaces')
      .set({ team_email: team, sla_target_hours: 8 / 3600, sla_max_hours: 600 / 3600 })
      .where('id', '=', space.id)
      .execute();
    const { account } = await createClient(db, { space });
    const conversationId = randomUUID();
    const messageId = randomUUID();
    await createConversation(db, {
      id: conversationId,
      spaceId: space.id,
      clientAccountId: account.id,
      subject: 'Redémarrage',
      cc: '',
    });
    await insertMessage(db, {
      id: messageId,
      conversationId,
      authorKind: 'client',
      authorAccountId: account.id,
      authorDisplayName: 'Client',
      body: 'Bonjour',
    });

    let first = await startWorker();
    const handle = await client.workflow.start(conversationWorkflow, {
      workflowId: `conversation-${conversationId}`,
      taskQueue,
      args: [{ conversationId }],
    });
    await handle.signal(clientMessageSignal, { messageId });
    await smtp.waitFor((m) => smtp.to(account.email).includes(m)); // the acknowledgement: the clock runs
    first.worker.shutdown();
    await first.running;
    await first.native.close();
    expect(smtp.to(team)).toHaveLength(0);

    // The reminder falls due while no worker runs.
    await new Promise((r) => setTimeout(r, 8000));
    expect(smtp.to(team)).toHaveLength(0);

    first = await startWorker();
    try {
      const reminder = await smtp.waitFor((m) => smtp.to(team).includes(m), 20_000);
      expect(reminder.subject).toContain('Rappel : réponse attendue');
      await new Promise((r) => setTimeout(r, 2000));
      expect(smtp.to(team)).toHaveLength(1);
      expect((await handle.query(conversationStateQuery)).clock?.sent).toEqual(['reminder']);
    } finally {
      first.worker.shutdown();
      await first.running;
      await first.native.close();
    }
  });
});
