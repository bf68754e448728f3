// Queries of the integration API (issue #17): spaces and cases found by what business software
// knows (a space's identifier, a case's external number), always within a token's spaces; cursor
// pages of cases, pieces, case files and messages; the case's own fields an upsert changes.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { Account, Case, CaseFile, DocumentRow, Message, Space } from './database.js';
import { normalizeEmail } from './accounts.js';
import { whereInScope, type StaffScope } from './staff-access.js';

export async function findSpaceInScope(db: Db, scope: StaffScope, slug: string): Promise<Space | undefined> {
  return whereInScope(db.selectFrom('spaces').selectAll(), 'spaces.id', scope)
    .where('slug', '=', slug)
    .executeTakeFirst();
}

/** A case of the space by its external number (any letter case, as the back-office search). */
export async function findCaseByNumber(db: Db, spaceId: string, number: string): Promise<Case | undefined> {
  return db
    .selectFrom('cases')
    .selectAll()
    .where('space_id', '=', spaceId)
    .where(sql`lower(number)`, '=', number.toLowerCase())
    .executeTakeFirst();
}

/** A client of the space, by e-mail or account id (an account that is not the space's client,
 * or disabled, is not one: the caller cannot tell it from an unknown address). */
export async function findClientOfSpace(
  db: Db,
  spaceId: string,
  client: { email: string } | { id: string },
): Promise<Account | undefined> {
  let q = db
    .selectFrom('accounts')
    .innerJoin('space_clients', 'space_clients.account_id', 'accounts.id')
    .selectAll('accounts')
    .where('space_clients.space_id', '=', spaceId)
    .where('accounts.kind', '=', 'client')
    .where('accounts.disabled_at', 'is', null);
  q =
    'email' in client
      ? q.where('accounts.email', '=', normalizeEmail(client.email))
      : q.where('accounts.id', '=', client.id);
  return q.executeTakeFirst();
}

/** What a case's JSON names besides its row: its space, procedure, client and assignee. */
export interface ApiCaseRow extends Case {
  space_slug: string;
  template_slug: string;
  client_email: string;
  client_name: string;
  assignee_email: string | null;
}

function caseRows(db: Db, scope: StaffScope) {
  const q = db
    .selectFrom('cases')
    .innerJoin('spaces', 'spaces.id', 'cases.space_id')
    .innerJoin('document_templates as t', 't.id', 'cases.template_id')
    .innerJoin('accounts as c', 'c.id', 'cases.client_account_id')
    .leftJoin('accounts as s', 's.id', 'cases.assignee_account_id')
    .selectAll('cases')
    .select([
      'spaces.slug as space_slug',
      't.slug as template_slug',
      'c.email as client_email',
      'c.full_name as client_name',
      's.email as assignee_email',
    ]);
  if (scope.all) return q;
  if (scope.spaceIds.length === 0) return q.where(sql<boolean>`false`);
  return q.where('cases.space_id', 'in', [...scope.spaceIds]);
}

export async function findApiCase(db: Db, scope: StaffScope, caseId: string): Promise<ApiCaseRow | undefined> {
  return caseRows(db, scope).where('cases.id', '=', caseId).executeTakeFirst();
}

/** A page of cases in id order after `afterId`, in the scope (and the one space when given). */
export async function listApiCases(
  db: Db,
  scope: StaffScope,
  options: { spaceId?: string; afterId?: string; limit: number },
): Promise<ApiCaseRow[]> {
  let q = caseRows(db, scope);
  if (options.spaceId) q = q.where('cases.space_id', '=', options.spaceId);
  if (options.afterId) q = q.where('cases.id', '>', options.afterId);
  return q.orderBy('cases.id').limit(options.limit).execute();
}

/** The fields of an existing case only the integration writes besides the record: title and facts. */
export async function updateCaseTitleAndFacts(
  db: Db,
  caseId: string,
  values: { title: string; facts: Record<string, string | number> },
): Promise<void> {
  await db
    .updateTable('cases')
    .set({ title: values.title, facts: JSON.stringify(values.facts) })
    .where('id', '=', caseId)
    .execute();
}

/** A staff member who may work in the space (an administrator, or someone given the space). */
export async function findStaffForSpace(db: Db, spaceId: string, email: string): Promise<Account | undefined> {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('kind', '=', 'staff')
    .where('disabled_at', 'is', null)
    .where('email', '=', normalizeEmail(email))
    .where((eb) =>
      eb.or([
        eb('is_admin', '=', true),
        eb.exists(
          eb
            .selectFrom('staff_spaces')
            .select('staff_spaces.space_id')
            .whereRef('staff_spaces.account_id', '=', 'accounts.id')
            .where('staff_spaces.space_id', '=', spaceId),
        ),
      ]),
    )
    .executeTakeFirst();
}

export async function listCaseDocumentsPage(
  db: Db,
  caseId: string,
  options: { afterId?: string; limit: number },
): Promise<DocumentRow[]> {
  let q = db.selectFrom('documents').selectAll().where('case_id', '=', caseId);
  if (options.afterId) q = q.where('id', '>', options.afterId);
  return q.orderBy('id').limit(options.limit).execute();
}

export async function listCaseFilesPage(
  db: Db,
  caseId: string,
  options: { afterId?: string; limit: number },
): Promise<CaseFile[]> {
  let q = db.selectFrom('case_files').selectAll().where('case_id', '=', caseId);
  if (options.afterId) q = q.where('id', '>', options.afterId);
  return q.orderBy('id').limit(options.limit).execute();
}

/** A conversation of the token's spaces, with its client's name (for the client's messages). */
export async function findApiConversation(
  db: Db,
  scope: StaffScope,
  conversationId: string,
): Promise<
  | {
      id: string;
      subject: string;
      status: string;
      space_slug: string;
      client_name: string;
      client_email: string;
      created_at: Date;
      case_number: string | null;
    }
  | undefined
> {
  return whereInScope(
    db
      .selectFrom('conversations')
      .innerJoin('spaces', 'spaces.id', 'conversations.space_id')
      .innerJoin('accounts', 'accounts.id', 'conversations.client_account_id')
      .leftJoin('cases', 'cases.id', 'conversations.case_id')
      .select([
        'conversations.id',
        'conversations.subject',
        'conversations.status',
        'conversations.created_at',
        'spaces.slug as space_slug',
        'accounts.full_name as client_name',
        'accounts.email as client_email',
        'cases.number as case_number',
      ]),
    'conversations.space_id',
    scope,
  )
    .where('conversations.id', '=', conversationId)
    .executeTakeFirst();
}

/**
 * A page of a conversation's thread, oldest first. The messages table holds the public thread
 * only: Redmine's private notes and the description are never mirrored into it.
 */
export async function listMessagesPage(
  db: Db,
  conversationId: string,
  options: { afterId?: string; limit: number },
): Promise<Message[]> {
  let q = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
  // The position is read from the row itself: a timestamp in the cursor would lose microseconds.
  if (options.afterId) {
    const afterId = options.afterId;
    q = q.where(
      sql<boolean>`(created_at, id) > (select m.created_at, m.id from messages m where m.id = ${afterId}::uuid and m.conversation_id = ${conversationId}::uuid)`,
    );
  }
  return q.orderBy('created_at').orderBy('id').limit(options.limit).execute();
}
