// The document-collection workflow on the time-skipping test server, with the real database:
// reminders of missing pieces on day 2, 5 and 10 then weekly, stopping once the case is complete
// (staff are told, once); deposits within a few minutes make one e-mail to the agency; closing
// the case ends the workflow.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { OutgoingMail } from '../../connectors/mail/index.js';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import type { Account, Case, DocumentTemplate, Space } from '../../db/database.js';
import { caseProgress, insertDocuments, setCaseStatus } from '../../db/documents.js';
import {
  closeSignal,
  collectionStateQuery,
  depositSignal,
  documentCollectionWorkflow,
  documentCollectionWorkflowId,
  policySignal,
  reviewSignal,
} from '../../workflows/index.js';
import { cloneTemplate, makeCase } from '../helpers/documents.js';
import { createClient, createStaff } from '../helpers/fixtures.js';
import { resetTemplate, saveTemplate } from '../../db/templates.js';
import { createTestWorker, installTestRuntime } from '../helpers/worker.js';
import { RecordingMailer } from '../helpers/mailer.js';

let env: TestWorkflowEnvironment;
let database: OpenDatabase;
const mailer = new RecordingMailer();
let worker: Worker;
let running: Promise<void>;
const taskQueue = `docs-${randomBytes(4).toString('hex')}`;
let space: Space;
let template: DocumentTemplate;
const AGENCY = `agence.${randomBytes(3).toString('hex')}@example.test`;

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
  space = await database.db
    .insertInto('spaces')
    .values({ slug: `docs-${randomBytes(4).toString('hex')}`, name: 'Crédit auto', team_email: AGENCY })
    .returningAll()
    .executeTakeFirstOrThrow();
  template = await cloneTemplate(database.db, 'credit-bail-vehicule', {
    reminderDays: [2, 5, 10],
    reminderEveryDays: 7,
    digestMinutes: 5,
  });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await database?.close();
  await env?.teardown();
});

const DAY = 86_400_000;

async function newCase(
  withTemplate: DocumentTemplate = template,
  locale: 'fr' | 'en' = 'fr',
): Promise<{ kase: Case; client: Account }> {
  const { account } = await createClient(database.db, { space, name: 'Claire Martin', locale });
  const kase = await makeCase(database.db, {
    space,
    client: account,
    template: withTemplate,
    startedAt: new Date(await env.currentTimeMs()),
  });
  return { kase, client: account };
}

function mailsTo(address: string, subjectPart: string): OutgoingMail[] {
  return mailer.sent.filter((m) => m.to === address && m.subject.includes(subjectPart));
}

/** Staff's refusal as the review route writes it: a reason of the category's list, a comment. */
async function refuse(documentId: string, categoryCode: string, comment: string | null = null) {
  const category = await database.db
    .selectFrom('document_categories')
    .select('refusal_reasons')
    .where('template_id', '=', template.id)
    .where('code', '=', categoryCode)
    .executeTakeFirstOrThrow();
  const reason = category.refusal_reasons[0]!;
  await database.db
    .updateTable('documents')
    .set({ status: 'rejected', rejection_reason: reason.code, review_comment: comment, reviewed_at: new Date() })
    .where('id', '=', documentId)
    .execute();
  return reason;
}

async function deposit(
  kase: Case,
  client: Account,
  code: string,
  name: string,
  status: 'pending' | 'validated' = 'pending',
  piece: string | null = null,
) {
  const category = await database.db
    .selectFrom('document_categories')
    .select('id')
    .where('template_id', '=', kase.template_id)
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  const [row] = await insertDocuments(database.db, [
    {
      caseId: kase.id,
      categoryId: category.id,
      fileName: name,
      contentType: 'application/pdf',
      sizeBytes: 1000,
      sha256: 'x'.repeat(64),
      storageKey: randomBytes(16).toString('hex'),
      pageCount: 1,
      source: 'upload',
      depositedBy: client.id,
    },
  ]);
  if (status === 'validated')
    await database.db
      .updateTable('documents')
      .set({ status, piece_code: piece, reviewed_at: new Date() })
      .where('id', '=', row!.id)
      .execute();
  return row!;
}

describe('document collection on the time-skipping server', () => {
  it('reminds the client on day 2, 5, 10, then weekly, and stops once the case is complete', async () => {
    const { kase, client } = await newCase();
    const handle = await env.client.workflow.start(documentCollectionWorkflow, {
      workflowId: documentCollectionWorkflowId(kase.id),
      taskQueue,
      args: [{ caseId: kase.id }],
    });
    const reminders = () => mailsTo(client.email, 'des pièces sont attendues').length;
    const at = async (days: number) => {
      const now = await env.currentTimeMs();
      const target = kase.collection_started_at!.getTime() + days * DAY;
      if (target > now) await env.sleep(target - now);
    };

    await at(1.9);
    expect(reminders()).toBe(0);
    await at(2.1);
    expect(reminders()).toBe(1);
    const first = mailsTo(client.email, 'des pièces sont attendues')[0]!;
    expect(first.text).toContain('Pièce d’identité en cours de validité');
    expect(first.text).toContain(`/dossiers/${kase.id}`);
    await at(4.9);
    expect(reminders()).toBe(1);
    await at(5.1);
    expect(reminders()).toBe(2);
    await at(10.1);
    expect(reminders()).toBe(3);
    await at(16.9);
    expect(reminders()).toBe(3);
    await at(17.1);
    expect(reminders()).toBe(4);
    await at(24.1);
    expect(reminders()).toBe(5);
    expect(await handle.query(collectionStateQuery)).toMatchObject({
      remindersSent: 5,
      complete: false,
      nextReminderAt: kase.collection_started_at!.getTime() + 31 * DAY,
    });

    // Every required piece validated; the last review is signalled: complete, staff told once.
    const { states } = await caseProgress(database.db, kase);
    let last = '';
    for (const s of states)
      for (const p of s.missing)
        last = (await deposit(kase, client, s.category.code, `${p.code}.pdf`, 'validated', p.code)).id;
    await handle.signal(reviewSignal, { documentId: last });
    await env.sleep('1 minute');
    expect(mailsTo(AGENCY, `Dossier ${kase.number} complet`)).toHaveLength(1);
    expect(
      (await database.db.selectFrom('cases').select('status').where('id', '=', kase.id).executeTakeFirstOrThrow())
        .status,
    ).toBe('complete');
    await at(60);
    expect(reminders()).toBe(5);
    expect(await handle.query(collectionStateQuery)).toMatchObject({ complete: true, nextReminderAt: null });
    expect(mailsTo(AGENCY, `Dossier ${kase.number} complet`)).toHaveLength(1);
  });

  it('sends the agency one e-mail for the deposits of a few minutes, none for withdrawn ones', async () => {
    const { kase, client } = await newCase();
    const handle = await env.client.workflow.start(documentCollectionWorkflow, {
      workflowId: documentCollectionWorkflowId(kase.id),
      taskQueue,
      args: [{ caseId: kase.id }],
    });
    const digests = () => mailsTo(AGENCY, `Dossier ${kase.number} :`).filter((m) => m.subject.includes('déposé'));

    const a = await deposit(kase, client, 'identite', 'cni.pdf');
    await handle.signal(depositSignal, { documentIds: [a.id] });
    await env.sleep('1 minute');
    const b = await deposit(kase, client, 'domicile', 'edf.pdf');
    await handle.signal(depositSignal, { documentIds: [b.id] });
    await env.sleep('2 minutes');
    // The third is a co-borrower's: the agency is told whose it is.
    const { account: coBorrower } = await createClient(database.db, { space, name: 'Marc Lefèvre' });
    const c = await deposit(kase, coBorrower, 'rib', 'rib.pdf');
    await handle.signal(depositSignal, { documentIds: [c.id] });
    await env.sleep('30 seconds');
    expect(digests()).toHaveLength(0);
    await env.sleep('10 minutes');
    expect(digests()).toHaveLength(1);
    const mail = digests()[0]!;
    expect(mail.subject).toBe(`Dossier ${kase.number} : 3 nouveaux documents déposés`);
    expect(mail.text).toContain(`Nouveaux documents dans le dossier ${kase.number} de Claire Martin :`);
    expect(mail.text).toContain('Identité : cni.pdf\n');
    expect(mail.text).toContain('Domicile : edf.pdf\n');
    expect(mail.text).toContain('RIB : rib.pdf (déposé par Marc Lefèvre)');

    // Later deposits make a second e-mail; one withdrawn before it is sent is not in it.
    const d = await deposit(kase, client, 'apport', 'apport.pdf');
    const e = await deposit(kase, client, 'apport', 'retire.pdf');
    await handle.signal(depositSignal, { documentIds: [d.id, e.id] });
    await env.sleep('1 minute');
    await database.db.deleteFrom('documents').where('id', '=', e.id).execute();
    await env.sleep('10 minutes');
    expect(digests()).toHaveLength(2);
    expect(digests()[1]!.subject).toBe(`Dossier ${kase.number} : 1 nouveau document déposé`);
    expect(digests()[1]!.text).not.toContain('retire.pdf');

    // Everything withdrawn: no e-mail at all.
    const f = await deposit(kase, client, 'apport', 'parti.pdf');
    await handle.signal(depositSignal, { documentIds: [f.id] });
    await database.db.deleteFrom('documents').where('id', '=', f.id).execute();
    await env.sleep('10 minutes');
    expect(digests()).toHaveLength(2);
  });

  it('stops reminding and ends when the case is closed', async () => {
    const { kase, client } = await newCase();
    const handle = await env.client.workflow.start(documentCollectionWorkflow, {
      workflowId: documentCollectionWorkflowId(kase.id),
      taskQueue,
      args: [{ caseId: kase.id }],
    });
    await env.sleep(2.5 * DAY);
    expect(mailsTo(client.email, `Dossier ${kase.number} : des pièces`)).toHaveLength(1);
    await setCaseStatus(database.db, kase.id, 'closed');
    await handle.signal(closeSignal);
    await handle.result();
    await env.sleep(30 * DAY);
    expect(mailsTo(client.email, `Dossier ${kase.number} : des pièces`)).toHaveLength(1);
  });

  it('tells the client of the refusals of a few minutes in one e-mail, leaving out a piece validated since', async () => {
    const { kase, client } = await newCase();
    const handle = await env.client.workflow.start(documentCollectionWorkflow, {
      workflowId: documentCollectionWorkflowId(kase.id),
      taskQueue,
      args: [{ caseId: kase.id }],
    });
    const refusals = () =>
      mailsTo(client.email, `Dossier ${kase.number} :`).filter((m) => m.subject.includes('refusé'));

    const a = await deposit(kase, client, 'identite', 'cni.pdf');
    const b = await deposit(kase, client, 'domicile', 'edf.pdf');
    const c = await deposit(kase, client, 'rib', 'rib.pdf');
    const reasonA = await refuse(a.id, 'identite', 'Verso illisible');
    await handle.signal(reviewSignal, { documentId: a.id });
    await env.sleep('1 minute');
    const reasonB = await refuse(b.id, 'domicile');
    await handle.signal(reviewSignal, { documentId: b.id });
    await refuse(c.id, 'rib');
    await handle.signal(reviewSignal, { documentId: c.id });
    await env.sleep('1 minute');
    // Staff change their mind on the RIB before the e-mail goes.
    await database.db
      .updateTable('documents')
      .set({ status: 'validated', rejection_reason: null, piece_code: 'rib' })
      .where('id', '=', c.id)
      .execute();
    expect(refusals()).toHaveLength(0);
    await env.sleep('10 minutes');
    expect(refusals()).toHaveLength(1);
    const mail = refusals()[0]!;
    expect(mail.subject).toBe(`Dossier ${kase.number} : 2 documents sont refusés`);
    expect(mail.text).toContain(`Identité : « cni.pdf » — ${reasonA.fr} (Verso illisible)`);
    expect(mail.text).toContain(`Domicile : « edf.pdf » — ${reasonB.fr}`);
    expect(mail.text).not.toContain('rib.pdf');
    expect(mail.text).toContain(`/dossiers/${kase.id}`);

    // A later refusal makes a second e-mail, naming only itself.
    const d = await deposit(kase, client, 'identite', 'cni-2.pdf');
    await refuse(d.id, 'identite');
    await handle.signal(reviewSignal, { documentId: d.id });
    await env.sleep('10 minutes');
    expect(refusals()).toHaveLength(2);
    expect(refusals()[1]!.subject).toBe(`Dossier ${kase.number} : un document est refusé`);
    expect(refusals()[1]!.text).not.toContain('edf.pdf');
    expect(await handle.query(collectionStateQuery)).toMatchObject({ refusals: null });
  });

  it('sends the reminder from the edited template, in the client’s language', async () => {
    // English only: the other tests read French reminders from the same database.
    const { account: admin } = await createStaff(database.db, { admin: true });
    await saveTemplate(
      database.db,
      'document-reminder',
      'en',
      {
        subject: 'Case {{caseNumber}}: we still need papers',
        body: 'Dear {{clientFullName}},\n{{missingDocuments}}\nUpload: {{caseUrl}}',
      },
      { accountId: admin.id, uiLocale: 'en' },
    );
    try {
      const { kase, client } = await newCase(template, 'en');
      await env.client.workflow.start(documentCollectionWorkflow, {
        workflowId: documentCollectionWorkflowId(kase.id),
        taskQueue,
        args: [{ caseId: kase.id }],
      });
      await env.sleep(2.1 * DAY);
      const sent = mailsTo(client.email, `Case ${kase.number}: we still need papers`);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.text).toMatch(/^Dear Claire Martin,\n/);
      expect(sent[0]!.text).toContain('- Valid identity document');
      expect(sent[0]!.text).toContain(`Upload: `);
      expect(sent[0]!.text).toContain(`/dossiers/${kase.id}`);
    } finally {
      await resetTemplate(database.db, 'document-reminder', 'en');
    }
  });

  it('follows a cadence edited while the case is open: at once when signalled, at the next reminder otherwise', async () => {
    const own = await cloneTemplate(database.db, 'credit-bail-vehicule', {
      reminderDays: [2, 5],
      reminderEveryDays: 7,
      digestMinutes: 5,
    });
    const reminders = (c: Case, client: Account) =>
      mailsTo(client.email, `Dossier ${c.number} : des pièces sont attendues`).length;

    // Earlier reminders, signalled: the first one goes on day 1, not day 2.
    const early = await newCase(own);
    const earlyHandle = await env.client.workflow.start(documentCollectionWorkflow, {
      workflowId: documentCollectionWorkflowId(early.kase.id),
      taskQueue,
      args: [{ caseId: early.kase.id }],
    });
    // Later reminders, not signalled (a lost signal): day 2 comes and goes, the reminder waits for day 4.
    const late = await newCase(own);
    await env.client.workflow.start(documentCollectionWorkflow, {
      workflowId: documentCollectionWorkflowId(late.kase.id),
      taskQueue,
      args: [{ caseId: late.kase.id }],
    });
    await env.sleep('1 hour');

    await database.db
      .updateTable('document_templates')
      .set({ reminder_days: [1, 3] })
      .where('id', '=', own.id)
      .execute();
    await earlyHandle.signal(policySignal);
    await env.sleep(1.05 * DAY);
    expect(reminders(early.kase, early.client)).toBe(1);
    expect(await earlyHandle.query(collectionStateQuery)).toMatchObject({
      remindersSent: 1,
      nextReminderAt: early.kase.collection_started_at!.getTime() + 3 * DAY,
    });

    await database.db
      .updateTable('document_templates')
      .set({ reminder_days: [4, 8] })
      .where('id', '=', own.id)
      .execute();
    await env.sleep(1.05 * DAY);
    expect(reminders(late.kase, late.client)).toBe(0);
    await env.sleep(2 * DAY);
    expect(reminders(late.kase, late.client)).toBe(1);
  });
});
