// Retention of closed cases' documents, against the dev server, PostgreSQL and the real storage:
// the nightly schedule exists; a sweep warns the clients whose documents go within the warning
// period (once per closing), deletes what is due (stored files first, then the rows; audited),
// and leaves open, reopened, recent and unlimited cases alone. Dates are moved in the database,
// which is the sweep's clock.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { inject } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import type { Account, Case, DocumentTemplate, Space } from '../../db/database.js';
import { insertCaseFiles } from '../../db/case-record.js';
import { insertDocuments, setCaseStatus } from '../../db/documents.js';
import { isStoredObjectNotFound } from '../../connectors/storage/index.js';
import { createFileStorage, type FileStorage } from '../../app/file-storage.js';
import type { RunningSystem } from '../../runtime/system.js';
import { retentionScheduleId, retentionSweepWorkflow } from '../../workflows/index.js';
import { categoryId, cloneTemplate, makeCase } from '../helpers/documents.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';
import { storeRaw } from '../helpers/stored.js';

let system: RunningSystem & { url: string };
let db: Db;
let storage: FileStorage;
let temporal: Client;
let connection: Connection;
let template: DocumentTemplate;

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
  storage = createFileStorage(system.config.storageDir);
  template = await cloneTemplate(db, 'credit-bail-vehicule', { digestMinutes: 0 });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  temporal = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await system?.stop();
});

/** A case with one deposited document, one file staff added and a comment, closed `closedAgo` ago (an SQL interval), or open. */
async function caseWithFiles(
  space: Space,
  client: Account,
  staff: Account,
  closedAgo: string | null,
): Promise<{ kase: Case; keys: string[] }> {
  const kase = await makeCase(db, { space, client, template });
  const deposit = await storeRaw(system.config.storageDir, Buffer.from(`%PDF-1.4 deposit ${randomUUID()}`));
  const report = await storeRaw(system.config.storageDir, Buffer.from(`%PDF-1.4 report ${randomUUID()}`));
  await insertDocuments(db, [
    {
      caseId: kase.id,
      categoryId: await categoryId(db, template.id, 'identite'),
      fileName: 'cni.pdf',
      contentType: 'application/pdf',
      sizeBytes: deposit.sizeBytes,
      sha256: deposit.sha256,
      storageKey: deposit.key,
      pageCount: 1,
      source: 'upload',
      depositedBy: client.id,
    },
  ]);
  await insertCaseFiles(db, [
    {
      caseId: kase.id,
      fileName: 'rapport.pdf',
      contentType: 'application/pdf',
      sizeBytes: report.sizeBytes,
      sha256: report.sha256,
      storageKey: report.key,
      pageCount: 1,
      uploadedBy: staff.id,
    },
  ]);
  await db
    .insertInto('case_comments')
    .values({ case_id: kase.id, author_account_id: client.id, body: 'Voici ma pièce.' })
    .execute();
  if (closedAgo)
    await db
      .updateTable('cases')
      .set({ status: 'closed', closed_at: sql<Date>`now() - ${closedAgo}::interval` })
      .where('id', '=', kase.id)
      .execute();
  return {
    kase: await db.selectFrom('cases').selectAll().where('id', '=', kase.id).executeTakeFirstOrThrow(),
    keys: [deposit.key, report.key],
  };
}

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
const sweep = () =>
  temporal.workflow.execute(retentionSweepWorkflow, {
    workflowId: `retention-test-${randomUUID()}`,
    taskQueue: system.config.TEMPORAL_TASK_QUEUE,
  });
const reload = (kase: Case) => db.selectFrom('cases').selectAll().where('id', '=', kase.id).executeTakeFirstOrThrow();
const counts = async (kase: Case) => ({
  documents: (await db.selectFrom('documents').select('id').where('case_id', '=', kase.id).execute()).length,
  files: (await db.selectFrom('case_files').select('id').where('case_id', '=', kase.id).execute()).length,
  comments: (await db.selectFrom('case_comments').select('id').where('case_id', '=', kase.id).execute()).length,
});

describe('retention of closed cases’ documents', () => {
  it('is scheduled every night at 03:00 Paris time, overlaps skipped', async () => {
    const description = await temporal.schedule
      .getHandle(retentionScheduleId(system.config.TEMPORAL_TASK_QUEUE))
      .describe();
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retentionSweepWorkflow' });
    expect(description.policies.overlap).toBe('SKIP');
    expect(description.spec.timezone).toBe('Europe/Paris');
    expect(description.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 3, end: 3, step: 1 }],
      minute: [{ start: 0, end: 0, step: 1 }],
    });
  });

  it('warns a month ahead, once per closing, then deletes files and rows; leaves the rest alone', async () => {
    const space = await createSpace(db, 'Diagnostics');
    await db.updateTable('spaces').set({ retention_months: 6 }).where('id', '=', space.id).execute();
    const keepForever = await createSpace(db, 'Crédit');
    const { account: staff } = await createStaff(db);
    const { account: client } = await createClient(db, { space, name: 'Claire Martin' });
    const { account: english } = await createClient(db, { space, name: 'Emma Walsh', locale: 'en' });

    const expired = await caseWithFiles(space, client, staff, '7 months');
    const soon = await caseWithFiles(space, english, staff, '5 months 10 days');
    const recent = await caseWithFiles(space, client, staff, '2 months');
    const open = await caseWithFiles(space, client, staff, null);
    const unlimited = await caseWithFiles(keepForever, client, staff, '3 years');
    const reopened = await caseWithFiles(space, client, staff, '8 months');
    await db
      .updateTable('cases')
      .set({ retention_warned_at: sql<Date>`now() - interval '40 days'` })
      .where('id', '=', reopened.kase.id)
      .execute();
    // Reopened: the case keeps the date of its earlier closing, as setCaseStatus leaves it.
    await db.updateTable('cases').set({ status: 'open' }).where('id', '=', reopened.kase.id).execute();

    // First night: the two clients concerned are told, in their language; nothing is deleted yet.
    const first = await sweep();
    expect(first.purged).toBe(0);
    const warnings = await db
      .selectFrom('notifications')
      .selectAll()
      .where('idempotency_key', 'like', 'retention-warning:%')
      .where('recipient', 'in', [client.email, english.email])
      .execute();
    expect(warnings.find((w) => w.recipient === client.email)!.subject).toContain(
      `Dossier ${expired.kase.number} : vos documents seront supprimés le`,
    );
    expect(warnings.find((w) => w.recipient === english.email)!.subject).toContain(
      `Case ${soon.kase.number}: your documents will be deleted on`,
    );
    expect(warnings.find((w) => w.recipient === client.email)!.body_text).toContain(`/dossiers/${expired.kase.id}`);
    expect(warnings).toHaveLength(2);
    const browser = new Browser(system.app!);
    await browser.login(client.email, 'test-pass-word');
    // The page says so, with the e-mail's date.
    const mailed = warnings.find((w) => w.recipient === client.email)!.subject.split('supprimés le ')[1]!;
    expect((await browser.get(`/dossiers/${expired.kase.id}`)).body).toContain(
      `Dossier clos : ses documents seront supprimés le ${mailed},`,
    );

    // A second night changes nothing: told once, the month not over.
    expect(await sweep()).toEqual({ warned: 0, purged: 0 });

    // A month later (moved in the database): the expired case's documents go, files first.
    await db
      .updateTable('cases')
      .set({ retention_warned_at: sql<Date>`now() - interval '31 days'` })
      .where('id', '=', expired.kase.id)
      .execute();
    expect(await sweep()).toEqual({ warned: 0, purged: 1 });
    expect(await counts(expired.kase)).toEqual({ documents: 0, files: 0, comments: 0 });
    for (const key of expired.keys) expect(await exists(key)).toBe(false);
    expect((await reload(expired.kase)).purged_at).not.toBeNull();
    const audit = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('subject_id', '=', expired.kase.id)
      .where('action', '=', 'case.purge')
      .executeTakeFirstOrThrow();
    expect(audit.details).toEqual({ documents: 1, files: 1, comments: 1, retentionMonths: 6 });
    expect((await browser.get(`/dossiers/${expired.kase.id}`)).body).toContain(
      'Les documents de ce dossier ont été supprimés le',
    );

    // Everything else is untouched, files included.
    for (const other of [soon, recent, open, unlimited, reopened]) {
      expect(await counts(other.kase)).toEqual({ documents: 1, files: 1, comments: 1 });
      for (const key of other.keys) expect(await exists(key)).toBe(true);
      expect((await reload(other.kase)).purged_at).toBeNull();
    }

    // Closed again after being reopened: a new warning for this closing before anything goes.
    // (setCaseStatus clears the earlier warning; the closing date is moved back as above.)
    await setCaseStatus(db, reopened.kase.id, 'closed');
    await db
      .updateTable('cases')
      .set({ closed_at: sql<Date>`now() - interval '7 months'` })
      .where('id', '=', reopened.kase.id)
      .execute();
    expect(await sweep()).toEqual({ warned: 1, purged: 0 });
  });
});
