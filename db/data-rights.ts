// Queries of a person's data rights (GDPR articles 15, 17, 20): everything Guichet holds about a
// client account, read for the export, and the erasure's writes (files' rows removed, the account
// closed and its name replaced where the organisation's records keep a trace).
import { sql } from 'kysely';
import type { Db } from './connect.js';

/** A stored file of the person: where it goes in the archive, and its storage key. */
export interface PersonFile {
  kind: 'document' | 'attachment' | 'client-file' | 'case-file';
  id: string;
  fileName: string;
  storageKey: string;
}

export async function personRecord(db: Db, accountId: string) {
  const account = await db
    .selectFrom('accounts')
    .select(['id', 'email', 'full_name', 'locale', 'created_at', 'last_login_at', 'disabled_at', 'observation'])
    .where('id', '=', accountId)
    .where('kind', '=', 'client')
    .executeTakeFirst();
  if (!account) return undefined;
  const caseIds = (await db.selectFrom('cases').select('id').where('client_account_id', '=', accountId).execute()).map(
    (r) => r.id,
  );
  const memberCaseIds = (
    await db.selectFrom('case_members').select('case_id').where('account_id', '=', accountId).execute()
  ).map((r) => r.case_id);
  const conversations = await db
    .selectFrom('conversations')
    .select(['id', 'space_id', 'subject', 'status', 'cc', 'created_at', 'last_message_at', 'redmine_issue_id'])
    .where('client_account_id', '=', accountId)
    .orderBy('created_at')
    .execute();
  const conversationIds = conversations.map((c) => c.id);
  const none = ['00000000-0000-0000-0000-000000000000'];
  const inList = (ids: string[]) => (ids.length > 0 ? ids : none);
  return {
    account,
    spaces: await db
      .selectFrom('space_clients')
      .innerJoin('spaces', 'spaces.id', 'space_clients.space_id')
      .select(['spaces.id', 'spaces.name', 'space_clients.created_at'])
      .where('space_clients.account_id', '=', accountId)
      .execute(),
    notificationPreferences:
      (await db
        .selectFrom('notification_preferences')
        .selectAll()
        .where('account_id', '=', accountId)
        .executeTakeFirst()) ?? null,
    contacts: await db
      .selectFrom('client_contacts')
      .select(['id', 'kind', 'value', 'state', 'created_at'])
      .where('client_account_id', '=', accountId)
      .execute(),
    contactActions: await db
      .selectFrom('contact_actions')
      .select(['id', 'kind', 'body', 'created_at'])
      .where('client_account_id', '=', accountId)
      .execute(),
    conversations,
    // Public messages only: the thread as the client sees it (staff's private notes stay in Redmine).
    messages: await db
      .selectFrom('messages')
      .select(['id', 'conversation_id', 'author_kind', 'author_display_name', 'body', 'created_at'])
      .where('conversation_id', 'in', inList(conversationIds))
      .orderBy('created_at')
      .execute(),
    cases: await db
      .selectFrom('cases')
      .select(['id', 'space_id', 'number', 'title', 'status', 'facts', 'payment_state', 'created_at', 'closed_at'])
      .where('id', 'in', inList([...caseIds, ...memberCaseIds]))
      .execute(),
    caseComments: await db
      .selectFrom('case_comments')
      .select(['id', 'case_id', 'body', 'created_at'])
      .where('author_account_id', '=', accountId)
      .execute(),
    contributorMemberships: await db
      .selectFrom('case_members')
      .select(['id', 'case_id', 'kind', 'role', 'status', 'invited_at', 'accepted_at', 'revoked_at'])
      .where('account_id', '=', accountId)
      .execute(),
    sessions: await db
      .selectFrom('sessions')
      .select(['created_at', 'last_seen_at', 'ip', 'user_agent'])
      .where('account_id', '=', accountId)
      .execute(),
    accessLog: await db
      .selectFrom('audit_log')
      .select(['at', 'action', 'actor_kind', 'subject_type', 'subject_id', 'ip'])
      .where((eb) =>
        eb.or([
          eb('actor_account_id', '=', accountId),
          eb('subject_id', '=', accountId),
          eb('subject_id', 'in', inList([...caseIds, ...conversationIds])),
        ]),
      )
      .orderBy('at')
      .execute(),
    files: await personFiles(db, accountId, caseIds, conversationIds),
  };
}

export type PersonRecord = NonNullable<Awaited<ReturnType<typeof personRecord>>>;

async function personFiles(
  db: Db,
  accountId: string,
  caseIds: string[],
  conversationIds: string[],
): Promise<PersonFile[]> {
  const none = ['00000000-0000-0000-0000-000000000000'];
  const documents = await db
    .selectFrom('documents')
    .select(['id', 'file_name', 'storage_key'])
    .where((eb) =>
      eb.or([eb('case_id', 'in', caseIds.length > 0 ? caseIds : none), eb('deposited_by', '=', accountId)]),
    )
    .execute();
  const attachments = await db
    .selectFrom('attachments')
    .innerJoin('messages', 'messages.id', 'attachments.message_id')
    .select(['attachments.id', 'attachments.file_name', 'attachments.storage_key'])
    .where('messages.conversation_id', 'in', conversationIds.length > 0 ? conversationIds : none)
    .execute();
  const clientFiles = await db
    .selectFrom('client_files')
    .select(['id', 'file_name', 'storage_key'])
    .where('client_account_id', '=', accountId)
    .execute();
  const caseFiles = await db
    .selectFrom('case_files')
    .select(['id', 'file_name', 'storage_key'])
    .where('case_id', 'in', caseIds.length > 0 ? caseIds : none)
    .execute();
  const as = (kind: PersonFile['kind']) => (r: { id: string; file_name: string; storage_key: string }) => ({
    kind,
    id: r.id,
    fileName: r.file_name,
    storageKey: r.storage_key,
  });
  return [
    ...documents.map(as('document')),
    ...attachments.map(as('attachment')),
    ...clientFiles.map(as('client-file')),
    ...caseFiles.map(as('case-file')),
  ];
}

/** The person's cases still open (an erasure waits for them unless an administrator confirms). */
export async function openCasesOf(db: Db, accountId: string): Promise<Array<{ id: string; number: string }>> {
  return db
    .selectFrom('cases')
    .select(['id', 'number'])
    .where('client_account_id', '=', accountId)
    .where('status', '!=', 'closed')
    .execute();
}

/** The Redmine issues of the person's conversations and cases: listed for staff, never deleted. */
export async function redmineIssuesOf(db: Db, accountId: string): Promise<number[]> {
  const rows = await sql<{ id: number }>`
    select redmine_issue_id as id from conversations where client_account_id = ${accountId} and redmine_issue_id is not null
    union
    select redmine_issue_id as id from cases where client_account_id = ${accountId} and redmine_issue_id is not null
    order by id`.execute(db);
  return rows.rows.map((r) => Number(r.id));
}

export const ERASED_NAME = 'Client supprimé';

/**
 * The erasure's writes, in the caller's transaction. Removed: the rows of the person's files (the
 * caller deletes the stored bytes after the commit), contacts, contact records, preferences,
 * sessions, contributor memberships, case comments, notifications sent to them. Kept for the
 * organisation's records, without the name: conversations and their messages (author shown as
 * "Client supprimé", copies emptied), cases (their business record), the audit log (ids only).
 */
export async function eraseRows(db: Db, accountId: string, files: readonly PersonFile[]): Promise<void> {
  const ids = (kind: PersonFile['kind']) => files.filter((f) => f.kind === kind).map((f) => f.id);
  const remove = async (table: 'documents' | 'attachments' | 'client_files' | 'case_files', list: string[]) => {
    if (list.length > 0) await db.deleteFrom(table).where('id', 'in', list).execute();
  };
  await remove('documents', ids('document'));
  await remove('attachments', ids('attachment'));
  await remove('client_files', ids('client-file'));
  await remove('case_files', ids('case-file'));
  const account = await db.selectFrom('accounts').select('email').where('id', '=', accountId).executeTakeFirstOrThrow();
  const phones = (
    await db
      .selectFrom('client_contacts')
      .select('value')
      .where('client_account_id', '=', accountId)
      .where('kind', '=', 'phone')
      .execute()
  ).map((r) => r.value);
  const prefPhone = await db
    .selectFrom('notification_preferences')
    .select('phone')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (prefPhone?.phone) phones.push(prefPhone.phone);
  if (phones.length > 0) await db.deleteFrom('dev_sms_outbox').where('recipient', 'in', phones).execute();
  await db.deleteFrom('notifications').where('recipient', '=', account.email).execute();
  await db.deleteFrom('client_contacts').where('client_account_id', '=', accountId).execute();
  await db.deleteFrom('contact_actions').where('client_account_id', '=', accountId).execute();
  await db.deleteFrom('notification_preferences').where('account_id', '=', accountId).execute();
  await db.deleteFrom('sessions').where('account_id', '=', accountId).execute();
  await db.deleteFrom('case_comments').where('author_account_id', '=', accountId).execute();
  const members = await db.selectFrom('case_members').select('id').where('account_id', '=', accountId).execute();
  if (members.length > 0) {
    await db
      .deleteFrom('case_member_tokens')
      .where(
        'member_id',
        'in',
        members.map((m) => m.id),
      )
      .execute();
    await db.deleteFrom('case_members').where('account_id', '=', accountId).execute();
  }
  const conversations = db.selectFrom('conversations').select('id').where('client_account_id', '=', accountId);
  await db
    .updateTable('messages')
    .set({ author_display_name: ERASED_NAME })
    .where('author_account_id', '=', accountId)
    .execute();
  await db.updateTable('conversations').set({ cc: '' }).where('id', 'in', conversations).execute();
  await db
    .updateTable('vilogi_requests')
    .set({ author_email: null, author_name: ERASED_NAME })
    .where('author_email', '=', account.email)
    .execute();
  await db
    .updateTable('accounts')
    .set({
      email: `supprime-${accountId}@invalid.invalid`,
      full_name: ERASED_NAME,
      password_hash: null,
      pending_password_hash: null,
      pending_password_expires_at: null,
      observation: '',
      disabled_at: new Date(),
    })
    .where('id', '=', accountId)
    .execute();
}
