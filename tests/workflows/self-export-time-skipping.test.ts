// A client's own export on the time-skipping test server: the workflow builds the archive into the
// real storage, e-mails the link in the client's language (English here), keeps the archive for
// SELF_EXPORT_DAYS days, then deletes the archive and the row (audited); the link then gives the
// expired page's answer (nothing downloadable). A first attempt before the ask is committed is
// tried again; an export erased before it is built leaves nothing.
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { downloadableSelfExport } from '../../app/data-rights/self-export.js';
import { createFileStorage } from '../../app/file-storage.js';
import type { Mailer, OutgoingMail } from '../../connectors/mail/index.js';
import { isStoredObjectNotFound } from '../../connectors/storage/index.js';
import { addClientFile } from '../../db/clients.js';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { insertSelfExport } from '../../db/self-exports.js';
import { SELF_EXPORT_DAYS } from '../../domain/self-export.js';
import { selfExportWorkflow, selfExportWorkflowId } from '../../workflows/index.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { storeRaw } from '../helpers/stored.js';
import { createTestWorker, installTestRuntime } from '../helpers/worker.js';

/** Records what it sends (the SMTP connector has its own tests against a real server). */
class RecordingMailer implements Mailer {
  readonly delivers = true;
  sent: OutgoingMail[] = [];
  send(mail: OutgoingMail) {
    this.sent.push(mail);
    return Promise.resolve({ messageId: `<${mail.reference}>` });
  }
  verify() {
    return Promise.resolve();
  }
  close() {}
}

/** The storage directory of tests/helpers/worker.ts. */
const STORAGE_DIR = path.join(os.tmpdir(), 'guichet-workflow-test-files');
const storage = createFileStorage(STORAGE_DIR);
let env: TestWorkflowEnvironment;
let database: OpenDatabase;
const mailer = new RecordingMailer();
let worker: Worker;
let running: Promise<void>;
const taskQueue = `ts-export-${randomBytes(4).toString('hex')}`;

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

const exists = (key: string) =>
  storage.get(key).then(
    (stream) => {
      stream.destroy();
      return true;
    },
    (err: unknown) => {
      if (isStoredObjectNotFound(err)) return false;
      throw err;
    },
  );

async function clientWithFile() {
  const db = database.db;
  const space = await createSpace(db, 'Export');
  const { account } = await createClient(db, { space, name: 'Iris Lecteur', locale: 'en' });
  const { account: colleague } = await createStaff(db, { spaces: [space.id] });
  const stored = await storeRaw(STORAGE_DIR, Buffer.from(`letter ${randomUUID()}`));
  await addClientFile(db, {
    clientId: account.id,
    fileName: 'letter.txt',
    contentType: 'text/plain',
    sizeBytes: stored.sizeBytes,
    sha256: stored.sha256,
    storageKey: stored.key,
    uploadedBy: colleague.id,
  });
  return account;
}

describe('a client’s own export on the time-skipping server', () => {
  it(`keeps the archive ${SELF_EXPORT_DAYS} days after e-mailing its link, then deletes it and its row`, async () => {
    const db = database.db;
    const account = await clientWithFile();
    const row = await insertSelfExport(db, account.id, '192.0.2.7');
    const handle = await env.client.workflow.start(selfExportWorkflow, {
      workflowId: selfExportWorkflowId(row.id),
      taskQueue,
      args: [{ exportId: row.id, accountId: account.id }],
    });
    // The link is e-mailed once the archive is stored (the outbox row is written before it is sent).
    const deadline = Date.now() + 60_000;
    while (!mailer.sent.some((m) => m.to === account.email) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    const mail = mailer.sent.find((m) => m.to === account.email);
    expect(mail?.subject).toBe('Your data is ready to download');
    expect(mail?.text).toContain(`http://guichet.test/mes-donnees/exports/${row.id}`);
    expect(mail?.text).toContain('Hello Iris Lecteur,');
    const ready = await db.selectFrom('self_exports').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(ready.status).toBe('ready');
    expect(ready.storage_key).toMatch(/^[0-9a-f]{32}$/);
    expect(await exists(ready.storage_key!)).toBe(true);
    expect(ready.expires_at!.getTime() - ready.ready_at!.getTime()).toBe(SELF_EXPORT_DAYS * 86_400_000);
    expect(await downloadableSelfExport(db, account.id, row.id)).toBeDefined();

    // Waiting for the result skips the timer.
    expect(await handle.result()).toBe('expired');
    expect(await db.selectFrom('self_exports').select('id').where('id', '=', row.id).execute()).toEqual([]);
    expect(await exists(ready.storage_key!)).toBe(false);
    expect(await downloadableSelfExport(db, account.id, row.id)).toBeUndefined();
    const expired = await db
      .selectFrom('audit_log')
      .select(['actor_kind', 'details'])
      .where('action', '=', 'person.export.expired')
      .where('subject_id', '=', account.id)
      .execute();
    expect(expired).toEqual([{ actor_kind: 'system', details: { exportId: row.id } }]);
  });

  it('waits for the ask to be committed (the workflow starts inside its transaction)', async () => {
    const db = database.db;
    const account = await clientWithFile();
    const exportId = randomUUID();
    const handle = await env.client.workflow.start(selfExportWorkflow, {
      workflowId: selfExportWorkflowId(exportId),
      taskQueue,
      args: [{ exportId, accountId: account.id }],
    });
    // The first attempt finds no row and an open account: it is tried again, not taken as erased.
    await new Promise((r) => setTimeout(r, 500));
    await db.insertInto('self_exports').values({ id: exportId, account_id: account.id, ip: null }).execute();
    const deadline = Date.now() + 60_000;
    while (!mailer.sent.some((m) => m.to === account.email) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(mailer.sent.filter((m) => m.to === account.email)).toHaveLength(1);
    const row = await db.selectFrom('self_exports').selectAll().where('id', '=', exportId).executeTakeFirstOrThrow();
    expect(row.status).toBe('ready');
    expect(await handle.result()).toBe('expired');
  });

  it('stores nothing for an export erased before it is built', async () => {
    const db = database.db;
    const account = await clientWithFile();
    const row = await insertSelfExport(db, account.id, null);
    // What an erasure does to it (app/data-rights/erase.ts): the row deleted, the account closed.
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('self_exports').where('id', '=', row.id).execute();
      await tx.updateTable('accounts').set({ disabled_at: new Date() }).where('id', '=', account.id).execute();
    });
    const result = await env.client.workflow.execute(selfExportWorkflow, {
      workflowId: selfExportWorkflowId(row.id),
      taskQueue,
      args: [{ exportId: row.id, accountId: account.id }],
    });
    expect(result).toBe('gone');
    expect(mailer.sent.some((m) => m.to === account.email)).toBe(false);
  });
});
