// The case record of the back-office (seed 003): summary, conclusions, payment, the files staff
// put in the case, who downloaded them (read from the audit log), the case's download state and
// its steps. Downloads are audit entries `attachment.download` whose subject is the file.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { AccountKind, Case, CaseFile, PaymentState } from './database.js';
import type { UnpaidMode } from '../domain/downloads.js';

export const DOWNLOAD_ACTION = 'attachment.download';
/** Audit subject types of what a client downloads from a case. */
export const CASE_FILE_SUBJECT = 'case_file';
export const DOCUMENT_SUBJECT = 'document';
/** Audit actions that are steps of a case. */
export const CASE_AVAILABLE_ACTION = 'case.available_notice';
export const CASE_PAYMENT_ACTION = 'case.payment';
export const CASE_FILE_ADD_ACTION = 'case_file.add';
export const CASE_FILE_DELETE_ACTION = 'case_file.delete';

// ---- Summary, conclusions, payment ----

export async function saveCaseRecord(
  db: Db,
  caseId: string,
  record: { summary: string; conclusions: string[] },
): Promise<void> {
  await db
    .updateTable('cases')
    .set({ summary: record.summary, conclusions: JSON.stringify(record.conclusions) })
    .where('id', '=', caseId)
    .execute();
}

export async function setPaymentAmount(db: Db, caseId: string, cents: number | null): Promise<void> {
  await db.updateTable('cases').set({ payment_amount_cents: cents }).where('id', '=', caseId).execute();
}

/** Returns whether the state changed (a second click on a stale page changes nothing). */
export async function setPaymentState(db: Db, caseId: string, from: PaymentState, to: PaymentState): Promise<boolean> {
  const res = await db
    .updateTable('cases')
    .set({ payment_state: to })
    .where('id', '=', caseId)
    .where('payment_state', '=', from)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

// ---- Unpaid cases: the setting (the decision is domain/downloads.ts) ----

/** Read on every download, never cached: a change applies to the next download. */
export async function getUnpaidMode(db: Db): Promise<UnpaidMode> {
  const row = await db.selectFrom('settings').select('unpaid_mode').where('id', '=', 1).executeTakeFirst();
  return row?.unpaid_mode ?? 'off';
}

export async function setUnpaidMode(db: Db, mode: UnpaidMode): Promise<void> {
  await db
    .insertInto('settings')
    .values({ id: 1, unpaid_mode: mode, updated_at: new Date() })
    .onConflict((oc) => oc.column('id').doUpdateSet({ unpaid_mode: mode, updated_at: new Date() }))
    .execute();
}

export async function clientUnpaidExempt(db: Db, clientId: string): Promise<boolean> {
  const row = await db.selectFrom('accounts').select('unpaid_exempt').where('id', '=', clientId).executeTakeFirst();
  return row?.unpaid_exempt ?? false;
}

export async function setClientUnpaidExempt(db: Db, clientId: string, exempt: boolean): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ unpaid_exempt: exempt })
    .where('id', '=', clientId)
    .where('kind', '=', 'client')
    .execute();
}

// ---- Files staff put in a case ----

export interface NewCaseFile {
  caseId: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  storageKey: string;
  pageCount: number | null;
  uploadedBy: string;
}

export async function insertCaseFiles(db: Db, files: readonly NewCaseFile[]): Promise<CaseFile[]> {
  if (files.length === 0) return [];
  return db
    .insertInto('case_files')
    .values(
      files.map((f) => ({
        case_id: f.caseId,
        file_name: f.fileName,
        content_type: f.contentType,
        size_bytes: f.sizeBytes,
        sha256: f.sha256,
        storage_key: f.storageKey,
        page_count: f.pageCount,
        uploaded_by: f.uploadedBy,
      })),
    )
    .returningAll()
    .execute();
}

export async function listCaseFiles(db: Db, caseId: string): Promise<CaseFile[]> {
  return db
    .selectFrom('case_files')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findCaseFile(db: Db, caseId: string, fileId: string): Promise<CaseFile | undefined> {
  return db
    .selectFrom('case_files')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('id', '=', fileId)
    .executeTakeFirst();
}

/** Removes the row; the caller removes the stored file once this returned it. */
export async function deleteCaseFile(db: Db, caseId: string, fileId: string): Promise<CaseFile | undefined> {
  return db
    .deleteFrom('case_files')
    .where('case_id', '=', caseId)
    .where('id', '=', fileId)
    .returningAll()
    .executeTakeFirst();
}

// ---- Downloads: counts, history, the case's state ----

export interface FileAccess {
  at: Date;
  actorKind: AccountKind | 'system';
  actorName: string | null;
  ip: string | null;
  /** 'original' or 'stamped'. */
  variant: string;
}

export interface FileDownloads {
  /** Downloads by the client side (the case's client, and anyone with client access). */
  clientCount: number;
  /** Every download, staff included. */
  totalCount: number;
  /** Newest first, at most `limit`. */
  history: FileAccess[];
}

/** Per file id, its downloads from the audit log. */
export async function caseFileDownloads(
  db: Db,
  fileIds: readonly string[],
  limit = 20,
): Promise<Map<string, FileDownloads>> {
  const result = new Map<string, FileDownloads>(
    fileIds.map((id) => [id, { clientCount: 0, totalCount: 0, history: [] }]),
  );
  if (fileIds.length === 0) return result;
  const counts = await db
    .selectFrom('audit_log')
    .select([
      'subject_id',
      sql<number>`count(*)::int`.as('total'),
      sql<number>`(count(*) filter (where actor_kind = 'client'))::int`.as('client'),
    ])
    .where('action', '=', DOWNLOAD_ACTION)
    .where('subject_type', '=', CASE_FILE_SUBJECT)
    .where('subject_id', 'in', [...fileIds])
    .groupBy('subject_id')
    .execute();
  for (const c of counts) {
    const entry = result.get(c.subject_id ?? '');
    if (entry) Object.assign(entry, { clientCount: c.client, totalCount: c.total });
  }
  const rows = await db
    .selectFrom('audit_log as l')
    .leftJoin('accounts as a', 'a.id', 'l.actor_account_id')
    .select(['l.subject_id', 'l.at', 'l.actor_kind', 'l.ip', 'l.details', 'a.full_name'])
    .where('l.action', '=', DOWNLOAD_ACTION)
    .where('l.subject_type', '=', CASE_FILE_SUBJECT)
    .where('l.subject_id', 'in', [...fileIds])
    .orderBy('l.at', 'desc')
    .orderBy('l.id', 'desc')
    .execute();
  for (const r of rows) {
    const entry = result.get(r.subject_id ?? '');
    if (!entry || entry.history.length >= limit) continue;
    const variant = typeof r.details.variant === 'string' ? r.details.variant : 'original';
    entry.history.push({ at: r.at, actorKind: r.actor_kind, actorName: r.full_name, ip: r.ip, variant });
  }
  return result;
}

/** Seed 003's states of a case: every file downloaded by the client side, some, or none. */
export type CaseDownloadState = 'no_files' | 'not_downloaded' | 'partial' | 'downloaded';

/** Per case id, its download state (for the case page and the cases list). */
export async function caseDownloadStates(db: Db, caseIds: readonly string[]): Promise<Map<string, CaseDownloadState>> {
  const result = new Map<string, CaseDownloadState>(caseIds.map((id) => [id, 'no_files']));
  if (caseIds.length === 0) return result;
  const rows = await db
    .selectFrom('case_files as f')
    .select([
      'f.case_id',
      sql<number>`count(*)::int`.as('files'),
      sql<number>`(count(*) filter (where exists (
        select 1 from audit_log l
        where l.action = ${DOWNLOAD_ACTION} and l.subject_type = ${CASE_FILE_SUBJECT}
          and l.subject_id = f.id::text and l.actor_kind = 'client')))::int`.as('downloaded'),
    ])
    .where('f.case_id', 'in', [...caseIds])
    .groupBy('f.case_id')
    .execute();
  for (const r of rows) {
    result.set(r.case_id, r.downloaded === 0 ? 'not_downloaded' : r.downloaded === r.files ? 'downloaded' : 'partial');
  }
  return result;
}

// ---- Steps ----

export type CaseStepKind =
  'opened' | 'deposited' | 'complete' | 'file_added' | 'available' | 'paid' | 'unpaid' | 'closed';

export interface CaseStep {
  kind: CaseStepKind;
  at: Date;
  /** Who did it, when it was someone. */
  by: string | null;
  /** A count (documents deposited) or a file name. */
  detail: string | null;
}

/** The case's life, oldest first, from the case row, its documents and the audit log. */
export async function caseSteps(db: Db, kase: Case): Promise<CaseStep[]> {
  const [deposits, events] = await Promise.all([
    db
      .selectFrom('documents')
      .select([sql<Date>`min(created_at)`.as('first'), sql<number>`count(*)::int`.as('n')])
      .where('case_id', '=', kase.id)
      .executeTakeFirst(),
    db
      .selectFrom('audit_log as l')
      .leftJoin('accounts as a', 'a.id', 'l.actor_account_id')
      .select(['l.action', 'l.at', 'l.details', 'a.full_name'])
      .where('l.subject_type', '=', 'case')
      .where('l.subject_id', '=', kase.id)
      .where('l.action', 'in', ['case.open', CASE_AVAILABLE_ACTION, CASE_PAYMENT_ACTION, CASE_FILE_ADD_ACTION])
      .orderBy('l.at')
      .orderBy('l.id')
      .execute(),
  ]);
  const opener = events.find((e) => e.action === 'case.open');
  const steps: CaseStep[] = [{ kind: 'opened', at: kase.created_at, by: opener?.full_name ?? null, detail: null }];
  if (deposits?.first && deposits.n > 0)
    steps.push({ kind: 'deposited', at: new Date(deposits.first), by: null, detail: String(deposits.n) });
  if (kase.completed_at) steps.push({ kind: 'complete', at: kase.completed_at, by: null, detail: null });
  for (const e of events) {
    if (e.action === CASE_AVAILABLE_ACTION) steps.push({ kind: 'available', at: e.at, by: e.full_name, detail: null });
    else if (e.action === CASE_FILE_ADD_ACTION)
      steps.push({
        kind: 'file_added',
        at: e.at,
        by: e.full_name,
        detail: typeof e.details.fileName === 'string' ? e.details.fileName : null,
      });
    else if (e.action === CASE_PAYMENT_ACTION && (e.details.state === 'paid' || e.details.state === 'unpaid')) {
      steps.push({
        kind: e.details.state,
        at: e.at,
        by: e.full_name,
        detail: typeof e.details.confirmationId === 'string' ? 'confirmation' : null,
      });
    }
  }
  if (kase.closed_at) steps.push({ kind: 'closed', at: kase.closed_at, by: null, detail: null });
  return steps.sort((a, b) => a.at.getTime() - b.at.getTime());
}
