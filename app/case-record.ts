// Writes of the case record (seed 003): summary and conclusions, payment (with the payment
// confirmation e-mail), files staff add or delete, and the "case available" e-mail. Each write
// and its audit entry (the case's steps are read from it) happen in one transaction; the e-mail goes through the outbox and its Temporal
// workflow, started inside the transaction (refused: nothing kept, nothing sent).
import { randomBytes } from 'node:crypto';
import { findAccountById } from '../db/accounts.js';
import { audit } from '../db/audit.js';
import {
  CASE_AVAILABLE_ACTION,
  CASE_FILE_ADD_ACTION,
  CASE_FILE_DELETE_ACTION,
  CASE_PAYMENT_ACTION,
  caseDownloadStates,
  caseFileDownloads,
  caseSteps,
  clientUnpaidExempt,
  deleteCaseFile,
  getUnpaidMode,
  insertCaseFiles,
  listCaseFiles,
  saveCaseRecord,
  setPaymentAmount,
  setPaymentState,
  type CaseDownloadState,
  type CaseStep,
  type FileDownloads,
  type NewCaseFile,
} from '../db/case-record.js';
import { formatEuros } from '../domain/case-record.js';
import { unpaidRestriction, type UnpaidMode, type UnpaidRestriction } from '../domain/downloads.js';
import type { Db } from '../db/connect.js';
import type { Case, CaseFile, PaymentState } from '../db/database.js';
import { enqueueNotification } from '../db/notifications.js';
import { renderTemplate } from '../db/templates.js';
import { plannedPurge } from '../db/retention.js';
import { messages } from '../i18n/index.js';
import type { WorkflowGateway } from './workflow-gateway.js';
import type { Actor } from './conversations.js';

export interface CaseRecordView {
  files: Array<CaseFile & { downloads: FileDownloads }>;
  steps: CaseStep[];
  downloadState: CaseDownloadState;
  unpaidMode: UnpaidMode;
  exempt: boolean;
  /** What the client's downloads get right now. */
  restriction: UnpaidRestriction;
  /** When the documents of this closed case go (the space's retention); null: not planned. */
  purgeAt: Date | null;
}

/** Everything the case page shows of the record (staff and client pages pick their part). */
export async function loadCaseRecord(db: Db, kase: Case): Promise<CaseRecordView> {
  const [files, steps, states, unpaidMode, exempt, purgeAt] = await Promise.all([
    listCaseFiles(db, kase.id),
    caseSteps(db, kase),
    caseDownloadStates(db, [kase.id]),
    getUnpaidMode(db),
    clientUnpaidExempt(db, kase.client_account_id),
    plannedPurge(db, kase),
  ]);
  const downloads = await caseFileDownloads(
    db,
    files.map((f) => f.id),
  );
  return {
    files: files.map((f) => ({
      ...f,
      downloads: downloads.get(f.id) ?? { clientCount: 0, totalCount: 0, history: [] },
    })),
    steps,
    downloadState: states.get(kase.id) ?? 'no_files',
    unpaidMode,
    exempt,
    restriction: unpaidRestriction({ mode: unpaidMode, paymentState: kase.payment_state, exempt }),
    purgeAt,
  };
}

function staffAudit(actor: Actor, action: string, kase: Case, details: Record<string, unknown>) {
  return {
    actorAccountId: actor.account.id,
    actorKind: 'staff' as const,
    action,
    subjectType: 'case',
    subjectId: kase.id,
    ip: actor.ip,
    details,
  };
}

export async function editCaseRecord(
  db: Db,
  actor: Actor,
  kase: Case,
  record: { summary: string; conclusions: string[] },
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await saveCaseRecord(tx, kase.id, record);
    await audit(
      tx,
      staffAudit(actor, 'case.record', kase, {
        summaryLength: record.summary.length,
        conclusions: record.conclusions.length,
      }),
    );
  });
}

export async function editPaymentAmount(db: Db, actor: Actor, kase: Case, cents: number | null): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await setPaymentAmount(tx, kase.id, cents);
    await audit(tx, staffAudit(actor, 'case.payment_amount', kase, { from: kase.payment_amount_cents, to: cents }));
  });
}

/** Paid ⇄ unpaid; false when the case was no longer in `from` (a stale page). Takes effect on the
 * next download. Marked paid with `confirm`, the client is sent the `payment-confirmation` e-mail
 * in their language, in the same transaction (a stale click sends nothing). */
export async function changePaymentState(
  db: Db,
  actor: Actor,
  kase: Case,
  from: PaymentState,
  to: PaymentState,
  confirm?: { workflows: WorkflowGateway; publicUrl: string },
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await setPaymentState(tx, kase.id, from, to))) return false;
    const confirmation =
      to === 'paid' && confirm ? await enqueuePaymentConfirmation(tx, kase, confirm.publicUrl) : null;
    await audit(
      tx,
      staffAudit(actor, CASE_PAYMENT_ACTION, kase, {
        state: to,
        amountCents: kase.payment_amount_cents,
        ...(confirmation ? { confirmationId: confirmation.id } : {}),
      }),
    );
    if (confirmation && confirm) await confirm.workflows.deliverNotification(confirmation.key, confirmation.id);
    return true;
  });
}

async function enqueuePaymentConfirmation(tx: Db, kase: Case, publicUrl: string): Promise<{ id: string; key: string }> {
  const client = await findAccountById(tx, kase.client_account_id);
  if (!client) throw new Error(`case ${kase.id} has no client account`);
  const mail = await renderTemplate(tx, 'payment-confirmation', client.locale, {
    clientFullName: client.full_name,
    caseNumber: kase.number,
    amount:
      kase.payment_amount_cents === null
        ? messages(client.locale).caseRecord.amountUnknown
        : formatEuros(kase.payment_amount_cents, client.locale),
    caseUrl: `${publicUrl}/dossiers/${kase.id}`,
  });
  // Each payment is its own e-mail: paid, unpaid, then paid again confirms twice.
  const key = `payment-confirmation:${kase.id}:${randomBytes(6).toString('hex')}`;
  const notification = await enqueueNotification(tx, {
    idempotencyKey: key,
    recipient: client.email,
    subject: mail.subject,
    bodyText: mail.text,
  });
  return { id: notification.id, key };
}

export async function addCaseFiles(
  db: Db,
  actor: Actor,
  kase: Case,
  files: ReadonlyArray<Omit<NewCaseFile, 'caseId' | 'uploadedBy'>>,
): Promise<CaseFile[]> {
  return db.transaction().execute(async (tx) => {
    const rows = await insertCaseFiles(
      tx,
      files.map((f) => ({ ...f, caseId: kase.id, uploadedBy: actor.account.id })),
    );
    for (const row of rows) {
      await audit(
        tx,
        staffAudit(actor, CASE_FILE_ADD_ACTION, kase, {
          fileId: row.id,
          fileName: row.file_name,
          sizeBytes: row.size_bytes,
          sha256: row.sha256,
        }),
      );
    }
    return rows;
  });
}

/** The row removed (the caller then removes the stored file), or undefined when it was gone. */
export async function removeCaseFile(db: Db, actor: Actor, kase: Case, fileId: string): Promise<CaseFile | undefined> {
  return db.transaction().execute(async (tx) => {
    const row = await deleteCaseFile(tx, kase.id, fileId);
    if (row)
      await audit(
        tx,
        staffAudit(actor, CASE_FILE_DELETE_ACTION, kase, {
          fileId: row.id,
          fileName: row.file_name,
          sha256: row.sha256,
        }),
      );
    return row;
  });
}

/**
 * Inside the caller's transaction: the `case-available` e-mail in the client's language into the
 * outbox, the step in the audit log, and the delivery workflow.
 */
export async function notifyCaseAvailableIn(
  tx: Db,
  workflows: WorkflowGateway,
  actor: Actor,
  kase: Case,
  publicUrl: string,
  trigger: 'button' | 'open',
): Promise<void> {
  const client = await findAccountById(tx, kase.client_account_id);
  if (!client) throw new Error(`case ${kase.id} has no client account`);
  const mail = await renderTemplate(tx, 'case-available', client.locale, {
    clientFullName: client.full_name,
    caseNumber: kase.number,
    caseUrl: `${publicUrl}/dossiers/${kase.id}`,
  });
  // One e-mail per click: the key is new each time, the workflow id follows it.
  const key = `case-available:${kase.id}:${randomBytes(6).toString('hex')}`;
  const notification = await enqueueNotification(tx, {
    idempotencyKey: key,
    recipient: client.email,
    subject: mail.subject,
    bodyText: mail.text,
  });
  await audit(tx, staffAudit(actor, CASE_AVAILABLE_ACTION, kase, { notificationId: notification.id, trigger }));
  await workflows.deliverNotification(key, notification.id);
}

export async function notifyCaseAvailable(
  db: Db,
  workflows: WorkflowGateway,
  actor: Actor,
  kase: Case,
  publicUrl: string,
): Promise<void> {
  await db.transaction().execute((tx) => notifyCaseAvailableIn(tx, workflows, actor, kase, publicUrl, 'button'));
}
