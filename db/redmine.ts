// Queries of the Redmine mirror.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { Conversation, ConversationStatus, Message } from './database.js';

export async function linkConversationToIssue(
  db: Db,
  conversationId: string,
  issueId: number,
  projectId: number,
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ redmine_issue_id: issueId, redmine_project_id: projectId })
    .where('id', '=', conversationId)
    .execute();
}

export async function findConversationByIssue(db: Db, issueId: number): Promise<Conversation | undefined> {
  return db.selectFrom('conversations').selectAll().where('redmine_issue_id', '=', issueId).executeTakeFirst();
}

/** Messages that are Redmine journals, keyed by journal id. */
export async function mirroredMessages(db: Db, conversationId: string): Promise<Map<number, Message>> {
  const rows = await db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('redmine_journal_id', 'is not', null)
    .execute();
  return new Map(rows.map((m) => [m.redmine_journal_id!, m]));
}

export async function markMessageDelivered(db: Db, messageId: string, journalId: number | null): Promise<void> {
  await db
    .updateTable('messages')
    .set({ redmine_delivery: 'delivered', ...(journalId !== null ? { redmine_journal_id: journalId } : {}) })
    .where('id', '=', messageId)
    .execute();
}

export async function updateMessageBody(db: Db, messageId: string, body: string): Promise<void> {
  await db.updateTable('messages').set({ body }).where('id', '=', messageId).execute();
}

/** A note that became private or was deleted in Redmine leaves the client space entirely. */
export async function deleteMessage(db: Db, messageId: string): Promise<void> {
  await db.deleteFrom('messages').where('id', '=', messageId).execute();
}

export async function setConversationStatusIfChanged(
  db: Db,
  conversationId: string,
  status: ConversationStatus,
): Promise<boolean> {
  const result = await db
    .updateTable('conversations')
    .set({ status })
    .where('id', '=', conversationId)
    .where('status', '!=', status)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function setEmailWarned(db: Db, conversationId: string, value: string | null): Promise<void> {
  await db.updateTable('conversations').set({ redmine_email_warned: value }).where('id', '=', conversationId).execute();
}

/** Mirrored conversations whose journals may still change: open ones, and any touched lately. */
export async function liveMirroredIssueIds(db: Db, days = 30): Promise<number[]> {
  const rows = await db
    .selectFrom('conversations')
    .select('redmine_issue_id')
    .where('redmine_issue_id', 'is not', null)
    .where((eb) =>
      eb.or([
        eb('status', 'not in', ['resolved', 'closed']),
        eb('last_message_at', '>', sql<Date>`now() - make_interval(days => ${days})`),
      ]),
    )
    .execute();
  return rows.map((r) => r.redmine_issue_id!);
}

export async function readSyncState<T>(db: Db, key: string): Promise<T | undefined> {
  const row = await db.selectFrom('redmine_sync_state').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value as T | undefined;
}

export async function writeSyncState(db: Db, key: string, value: unknown): Promise<void> {
  await db
    .insertInto('redmine_sync_state')
    .values({ key, value: JSON.stringify(value) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: new Date() }))
    .execute();
}
