// The back-office case list: several search terms (each must be found, accents and case aside,
// in the number, title, client's name or e-mail, or summary), filters, one page sorted by creation
// date with the total count; the same query streamed in batches for the Excel export. Also the
// case's assignee and notepad.
import { sql, type SqlBool, type Expression } from 'kysely';
import type { Db } from './connect.js';
import type { CaseStatus, PaymentState } from './database.js';
import { whereInScope, type StaffScope } from './staff-access.js';

export const CASE_STATUSES: readonly CaseStatus[] = ['open', 'complete', 'closed'];
export const PAYMENT_STATES: readonly PaymentState[] = ['paid', 'unpaid'];
/** The assignee filter's value for cases assigned to nobody. */
export const UNASSIGNED = 'none';
const MAX_TERMS = 8;
const MAX_TERM_LENGTH = 100;

export interface CaseListFilter {
  /** The spaces the staff member sees: cases elsewhere are not listed, counted or exported. */
  scope: StaffScope;
  terms: string[];
  spaceId?: string | undefined;
  status?: CaseStatus | undefined;
  payment?: PaymentState | undefined;
  /** A staff account's id, or UNASSIGNED. */
  assignee?: string | undefined;
}

export interface CaseListRow {
  id: string;
  number: string;
  title: string;
  status: CaseStatus;
  paymentState: PaymentState;
  paymentAmountCents: number | null;
  createdAt: Date;
  clientName: string;
  clientEmail: string;
  spaceName: string;
  assigneeId: string | null;
  assigneeName: string | null;
}

/** The search box's text as terms: split on spaces, at most 8 of at most 100 characters. */
export function searchTerms(query: string): string[] {
  return query
    .split(/\s+/)
    .filter((t) => t !== '')
    .slice(0, MAX_TERMS)
    .map((t) => t.slice(0, MAX_TERM_LENGTH));
}

function likeEscape(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function termMatches(term: string): Expression<SqlBool> {
  // A newline separates the fields, and terms never hold one: a term cannot span two fields.
  // search_fold: generated columns (migration 011), folded when the row is written.
  return sql<SqlBool>`(cases.search_fold || chr(10) || client.search_fold) like '%' || guichet_fold(${likeEscape(term)}) || '%'`;
}

function filtered(db: Db, filter: CaseListFilter) {
  // The scope first: the case list, its count and the export never hold a case of another space.
  let query = whereInScope(db.selectFrom('cases'), 'cases.space_id', filter.scope)
    .innerJoin('accounts as client', 'client.id', 'cases.client_account_id')
    .innerJoin('spaces', 'spaces.id', 'cases.space_id')
    .leftJoin('accounts as assignee', 'assignee.id', 'cases.assignee_account_id');
  for (const term of filter.terms) query = query.where(termMatches(term));
  if (filter.spaceId) query = query.where('cases.space_id', '=', filter.spaceId);
  if (filter.status) query = query.where('cases.status', '=', filter.status);
  if (filter.payment) query = query.where('cases.payment_state', '=', filter.payment);
  if (filter.assignee === UNASSIGNED) query = query.where('cases.assignee_account_id', 'is', null);
  else if (filter.assignee) query = query.where('cases.assignee_account_id', '=', filter.assignee);
  return query;
}

function rows(db: Db, filter: CaseListFilter) {
  return filtered(db, filter).select([
    'cases.id',
    'cases.number',
    'cases.title',
    'cases.status',
    'cases.payment_state as paymentState',
    'cases.payment_amount_cents as paymentAmountCents',
    'cases.created_at as createdAt',
    'client.full_name as clientName',
    'client.email as clientEmail',
    'spaces.name as spaceName',
    'cases.assignee_account_id as assigneeId',
    'assignee.full_name as assigneeName',
  ]);
}

/** One page, newest first, and how many cases match in all. */
export async function listCases(
  db: Db,
  filter: CaseListFilter,
  page: { limit: number; offset: number },
): Promise<{ items: CaseListRow[]; total: number }> {
  const [items, count] = await Promise.all([
    rows(db, filter)
      .orderBy('cases.created_at', 'desc')
      .orderBy('cases.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    filtered(db, filter)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(count.n) };
}

/** Every matching case, newest first, a batch at a time (keyset: no batch rereads the ones before). */
export async function* streamCases(db: Db, filter: CaseListFilter, batchSize = 1000): AsyncGenerator<CaseListRow[]> {
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    let query = rows(db, filter);
    if (after) {
      const { createdAt, id } = after;
      query = query.where((eb) => eb(eb.refTuple('cases.created_at', 'cases.id'), '<', eb.tuple(createdAt, id)));
    }
    const batch = await query
      .orderBy('cases.created_at', 'desc')
      .orderBy('cases.id', 'desc')
      .limit(batchSize)
      .execute();
    if (batch.length > 0) yield batch;
    if (batch.length < batchSize) return;
    const last = batch[batch.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

export interface StaffMember {
  id: string;
  fullName: string;
  email: string;
}

/** The collaborators a case may be assigned to: staff accounts that are not disabled. */
export async function staffMembers(db: Db): Promise<StaffMember[]> {
  return db
    .selectFrom('accounts')
    .select(['id', 'full_name as fullName', 'email'])
    .where('kind', '=', 'staff')
    .where('disabled_at', 'is', null)
    .orderBy('full_name')
    .orderBy('id')
    .execute();
}

export async function setRowsPerPage(db: Db, staffAccountId: string, rowsPerPage: number): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ rows_per_page: rowsPerPage })
    .where('id', '=', staffAccountId)
    .where('kind', '=', 'staff')
    .execute();
}

/** Sets the case's assignee; returns the previous one, or undefined when the case is gone. */
export async function assignCase(
  db: Db,
  caseId: string,
  assigneeId: string | null,
): Promise<{ previous: string | null } | undefined> {
  const before = await db
    .selectFrom('cases')
    .select('assignee_account_id')
    .where('id', '=', caseId)
    .forUpdate()
    .executeTakeFirst();
  if (!before) return undefined;
  await db.updateTable('cases').set({ assignee_account_id: assigneeId }).where('id', '=', caseId).execute();
  return { previous: before.assignee_account_id };
}

export interface CaseNote {
  id: string;
  body: string;
  createdAt: Date;
  authorName: string | null;
}

export async function addCaseNote(
  db: Db,
  caseId: string,
  authorId: string,
  body: string,
): Promise<CaseNote & { caseId: string }> {
  const row = await db
    .insertInto('case_notes')
    .values({ case_id: caseId, author_account_id: authorId, body })
    .returning(['id', 'body', 'created_at'])
    .executeTakeFirstOrThrow();
  const author = await db.selectFrom('accounts').select('full_name').where('id', '=', authorId).executeTakeFirst();
  return { id: row.id, caseId, body: row.body, createdAt: row.created_at, authorName: author?.full_name ?? null };
}

export async function findCaseNote(db: Db, caseId: string, noteId: string): Promise<CaseNote | undefined> {
  return db
    .selectFrom('case_notes')
    .leftJoin('accounts', 'accounts.id', 'case_notes.author_account_id')
    .select([
      'case_notes.id',
      'case_notes.body',
      'case_notes.created_at as createdAt',
      'accounts.full_name as authorName',
    ])
    .where('case_notes.case_id', '=', caseId)
    .where('case_notes.id', '=', noteId)
    .executeTakeFirst();
}

/** The notepad, newest first. */
export async function listCaseNotes(db: Db, caseId: string, limit = 200): Promise<CaseNote[]> {
  return db
    .selectFrom('case_notes')
    .leftJoin('accounts', 'accounts.id', 'case_notes.author_account_id')
    .select([
      'case_notes.id',
      'case_notes.body',
      'case_notes.created_at as createdAt',
      'accounts.full_name as authorName',
    ])
    .where('case_notes.case_id', '=', caseId)
    .orderBy('case_notes.created_at', 'desc')
    .orderBy('case_notes.id', 'desc')
    .limit(limit)
    .execute();
}
