// The contributor invitation on the time-skipping test server, with the real database: the
// invitation and its reminders on day 2 and 5 each carry a working single-use link; expiry on
// day 14 tells the case's owner and the agency; acceptance stops the reminders; revocation ends
// it; a re-invitation kills the old links and starts reminders and expiry again. And the document
// collection's e-mails: a contributor is reminded of their own pieces only, never of another
// role's pieces or files, and hears of the refusal of what they deposited.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { OutgoingMail } from '../../connectors/mail/index.js';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import {
  acceptInvitation,
  addCaseMember,
  beginInvitation,
  findInvitation,
  revokeMember,
} from '../../db/contributors.js';
import type { Account, Case, CaseMember, DocumentTemplate, Space } from '../../db/database.js';
import { insertDocuments } from '../../db/documents.js';
import {
  acceptInvitationSignal,
  documentCollectionWorkflow,
  documentCollectionWorkflowId,
  reviewSignal,
  contributorInvitationWorkflow,
  contributorInvitationWorkflowId,
  invitationStateQuery,
  reinviteSignal,
  revokeInvitationSignal,
} from '../../workflows/index.js';
import { categoryId, cloneTemplate, makeCase } from '../helpers/documents.js';
import { createClient } from '../helpers/fixtures.js';
import { createTestWorker, installTestRuntime } from '../helpers/worker.js';
import { RecordingMailer } from '../helpers/mailer.js';

let env: TestWorkflowEnvironment;
let database: OpenDatabase;
const mailer = new RecordingMailer();
let worker: Worker;
let running: Promise<void>;
const taskQueue = `invite-${randomBytes(4).toString('hex')}`;
let space: Space;
let template: DocumentTemplate;
const AGENCY = `agence.${randomBytes(3).toString('hex')}@example.test`;
const DAY = 86_400_000;
const POLICY = { reminderDays: [2, 5], expiryDays: 14 };

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
    .values({ slug: `inv-${randomBytes(4).toString('hex')}`, name: 'Gestion locative', team_email: AGENCY })
    .returningAll()
    .executeTakeFirstOrThrow();
  template = await cloneTemplate(database.db, 'demande-location');
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await database?.close();
  await env?.teardown();
});

async function invited(): Promise<{
  owner: Account;
  guarantor: Account;
  member: CaseMember;
  generation: number;
  caseNumber: string;
}> {
  const { account: owner } = await createClient(database.db, { space, name: 'Claire Martin' });
  const { account: guarantor } = await createClient(database.db, { name: 'Marc Garant', password: null });
  const kase = await makeCase(database.db, { space, client: owner, template });
  const member = await addCaseMember(database.db, {
    caseId: kase.id,
    accountId: guarantor.id,
    kind: 'contributor',
    role: 'garant',
    invitedBy: owner.id,
  });
  const generation = await database.db
    .transaction()
    .execute((tx) => beginInvitation(tx, member.id, new Date(Date.now() + 365 * DAY)));
  return { owner, guarantor, member, generation: generation!, caseNumber: kase.number };
}

function start(member: CaseMember, generation: number) {
  return env.client.workflow.start(contributorInvitationWorkflow, {
    workflowId: contributorInvitationWorkflowId(member.id),
    taskQueue,
    args: [{ memberId: member.id, generation, ...POLICY }],
  });
}

const mailsTo = (address: string) => mailer.sent.filter((m) => m.to === address);
const linkOf = (mail: OutgoingMail) => /\/invitation\/([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] ?? '';

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(check()).toBe(true);
}

describe('contributor invitation on the time-skipping server', () => {
  it('invites, reminds on day 2 and 5 with working links, and expires on day 14 telling the owner and the agency', async () => {
    const { owner, guarantor, member, generation, caseNumber } = await invited();
    const startedAt = await env.currentTimeMs();
    const handle = await start(member, generation);
    const at = async (days: number) => {
      const target = startedAt + days * DAY;
      const now = await env.currentTimeMs();
      if (target > now) await env.sleep(target - now);
    };
    await until(() => mailsTo(guarantor.email).length === 1);
    const first = mailsTo(guarantor.email)[0]!;
    expect(first.subject).toBe(`Invitation à compléter le dossier ${caseNumber}`);
    expect(first.text).toContain('Bonjour Marc Garant');
    expect(first.text).toContain('Claire Martin vous invite');
    expect(first.text).toContain('en tant que Garant');
    expect(first.text).toContain('http://guichet.test/invitation/');
    expect((await findInvitation(database.db, linkOf(first)))?.id).toBe(member.id);
    // Only a hash of the link is stored.
    const stored = await database.db
      .selectFrom('case_member_tokens')
      .select('token_hash')
      .where('member_id', '=', member.id)
      .execute();
    expect(stored.map((s) => s.token_hash)).not.toContain(linkOf(first));

    await at(1.9);
    expect(mailsTo(guarantor.email)).toHaveLength(1);
    await at(2.1);
    expect(mailsTo(guarantor.email)).toHaveLength(2);
    const reminder = mailsTo(guarantor.email)[1]!;
    expect(reminder.subject).toBe(`Rappel : Invitation à compléter le dossier ${caseNumber}`);
    expect(linkOf(reminder)).not.toBe(linkOf(first));
    expect((await findInvitation(database.db, linkOf(reminder)))?.id).toBe(member.id);
    await at(5.1);
    expect(mailsTo(guarantor.email)).toHaveLength(3);
    await at(13.9);
    expect(mailsTo(guarantor.email)).toHaveLength(3);
    expect(mailsTo(owner.email)).toHaveLength(0);

    await at(14.1);
    expect(await handle.result()).toBe('expired');
    const ownerMails = mailsTo(owner.email);
    expect(ownerMails).toHaveLength(1);
    expect(ownerMails[0]!.subject).toBe(`Invitation expirée pour le dossier ${caseNumber}`);
    expect(ownerMails[0]!.text).toContain('L’invitation de Marc Garant (Garant)');
    const agencyMails = mailsTo(AGENCY).filter((m) => m.subject.includes(caseNumber));
    expect(agencyMails).toHaveLength(1);
    expect(agencyMails[0]!.text).toContain('/back-office/dossiers/');
    const row = await database.db
      .selectFrom('case_members')
      .select('status')
      .where('id', '=', member.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('expired');
    // Every link is dead.
    expect(await findInvitation(database.db, linkOf(first))).toBeUndefined();
    expect(await findInvitation(database.db, linkOf(reminder))).toBeUndefined();
  });

  it('stops the reminders once the invitation is accepted', async () => {
    const { owner, guarantor, member, generation } = await invited();
    const handle = await start(member, generation);
    await until(() => mailsTo(guarantor.email).length === 1);
    const token = linkOf(mailsTo(guarantor.email)[0]!);
    const accepted = await database.db.transaction().execute((tx) => acceptInvitation(tx, token));
    expect(accepted?.status).toBe('active');
    await handle.signal(acceptInvitationSignal);
    expect(await handle.result()).toBe('accepted');
    await env.sleep(20 * DAY);
    expect(mailsTo(guarantor.email)).toHaveLength(1);
    expect(mailsTo(owner.email)).toHaveLength(0);
    // Single use: the link does not work a second time.
    expect(await database.db.transaction().execute((tx) => acceptInvitation(tx, token))).toBeUndefined();
  });

  it('ends on revocation: no reminder, no expiry e-mail, the link dead', async () => {
    const { owner, guarantor, member, generation } = await invited();
    const handle = await start(member, generation);
    await until(() => mailsTo(guarantor.email).length === 1);
    const token = linkOf(mailsTo(guarantor.email)[0]!);
    await env.sleep(1 * DAY);
    await database.db.transaction().execute((tx) => revokeMember(tx, member.id));
    await handle.signal(revokeInvitationSignal);
    expect(await handle.result()).toBe('revoked');
    await env.sleep(20 * DAY);
    expect(mailsTo(guarantor.email)).toHaveLength(1);
    expect(mailsTo(owner.email)).toHaveLength(0);
    expect(await findInvitation(database.db, token)).toBeUndefined();
  });

  it('re-invites: a new link, the old one dead, reminders and expiry counted again', async () => {
    const { owner, guarantor, member, generation } = await invited();
    const startedAt = await env.currentTimeMs();
    const handle = await start(member, generation);
    await until(() => mailsTo(guarantor.email).length === 1);
    const oldToken = linkOf(mailsTo(guarantor.email)[0]!);
    await env.sleep(3 * DAY); // day 3: one reminder went
    expect(mailsTo(guarantor.email)).toHaveLength(2);

    const next = await database.db
      .transaction()
      .execute((tx) => beginInvitation(tx, member.id, new Date(Date.now() + 365 * DAY)));
    expect(next).toBe(generation + 1);
    await handle.signal(reinviteSignal, { generation: next! });
    await until(() => mailsTo(guarantor.email).length === 3);
    const fresh = mailsTo(guarantor.email)[2]!;
    expect(fresh.subject).not.toContain('Rappel');
    expect(await findInvitation(database.db, oldToken)).toBeUndefined();
    expect((await findInvitation(database.db, linkOf(fresh)))?.id).toBe(member.id);
    const state = await handle.query(invitationStateQuery);
    expect(state).toMatchObject({ generation: next, remindersSent: 0, sent: true, outcome: null });
    expect(state.expiresAt).toBeGreaterThanOrEqual(startedAt + 17 * DAY - 60_000);

    // Day 14 of the first invitation passes without expiry; reminders come 2 and 5 days after the new one.
    const reinvitedAt = state.expiresAt - 14 * DAY;
    const at = async (days: number) => {
      const target = reinvitedAt + days * DAY;
      const now = await env.currentTimeMs();
      if (target > now) await env.sleep(target - now);
    };
    await at(2.1);
    expect(mailsTo(guarantor.email)).toHaveLength(4);
    await at(5.1);
    expect(mailsTo(guarantor.email)).toHaveLength(5);
    await at(13.5); // day 16.5 of the first invitation
    expect(mailsTo(owner.email)).toHaveLength(0);
    await at(14.1);
    expect(await handle.result()).toBe('expired');
    expect(mailsTo(owner.email)).toHaveLength(1);
  });
});

describe('document collection e-mails of a shared case', () => {
  async function doc(kase: Case, by: Account, code: string, name: string, status: 'pending' | 'rejected') {
    const [row] = await insertDocuments(database.db, [
      {
        caseId: kase.id,
        categoryId: await categoryId(database.db, template.id, code),
        fileName: name,
        contentType: 'application/pdf',
        sizeBytes: 100,
        sha256: 'y'.repeat(64),
        storageKey: randomBytes(16).toString('hex'),
        pageCount: 1,
        source: 'upload',
        depositedBy: by.id,
      },
    ]);
    if (status === 'rejected')
      await database.db
        .updateTable('documents')
        .set({ status, rejection_reason: 'illisible', reviewed_at: new Date() })
        .where('id', '=', row!.id)
        .execute();
    return row!;
  }

  it('reminds a contributor of their own pieces only and tells them of their refused deposit', async () => {
    const { account: owner } = await createClient(database.db, { space, name: 'Claire Martin' });
    const { account: guarantor } = await createClient(database.db, { name: 'Marc Garant' });
    const kase = await makeCase(database.db, {
      space,
      client: owner,
      template,
      startedAt: new Date(await env.currentTimeMs()),
    });
    const m = await addCaseMember(database.db, {
      caseId: kase.id,
      accountId: guarantor.id,
      kind: 'contributor',
      role: 'garant',
      invitedBy: owner.id,
    });
    await database.db.updateTable('case_members').set({ status: 'active' }).where('id', '=', m.id).execute();
    await doc(kase, owner, 'identite', 'cni-claire.pdf', 'rejected');
    await doc(kase, guarantor, 'garantie', 'caution-floue.pdf', 'rejected');
    const handle = await env.client.workflow.start(documentCollectionWorkflow, {
      workflowId: documentCollectionWorkflowId(kase.id),
      taskQueue,
      args: [{ caseId: kase.id }],
    });
    const reminder = (to: string) =>
      mailsTo(to).filter((x) => x.subject.includes(kase.number) && x.subject.includes('pièces'));

    await env.sleep(2.1 * DAY);
    expect(reminder(guarantor.email)).toHaveLength(1);
    const theirs = reminder(guarantor.email)[0]!.text;
    expect(theirs).toContain('Bonjour Marc Garant');
    expect(theirs).toContain('caution-floue.pdf');
    expect(theirs).not.toContain('cni-claire.pdf');
    // The six pieces asked of a guarantor, none of the tenant's five others.
    expect(theirs.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(6);
    expect(theirs).toContain('Acte de cautionnement');
    const ownerMail = reminder(owner.email)[0]!.text;
    expect(ownerMail.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(11);
    expect(ownerMail).toContain('cni-claire.pdf');

    // Staff refuse the guarantor's new deposit: the guarantor hears of it, not the main client.
    const pending = await doc(kase, guarantor, 'garantie', 'caution-2.pdf', 'pending');
    await database.db
      .updateTable('documents')
      .set({ status: 'rejected', rejection_reason: 'illisible', reviewed_at: new Date() })
      .where('id', '=', pending.id)
      .execute();
    await handle.signal(reviewSignal, { documentId: pending.id });
    // Refusals of a few minutes make one e-mail per person.
    await env.sleep('10 minutes');
    const refusals = (to: string) => mailsTo(to).filter((x) => x.text.includes('caution-2.pdf'));
    await until(() => refusals(guarantor.email).length === 1);
    expect(refusals(owner.email)).toHaveLength(0);
    await handle.terminate();
  });
});
