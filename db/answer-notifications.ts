// What the answer notifier reads: the staff answers of one client still in the database (a note
// made private or deleted in Redmine has left it), with their current text and files; and the
// record of answer SMS, one per batch.
import type { Db } from './connect.js';

export interface PendingAnswer {
  messageId: string;
  conversationId: string;
  conversationSubject: string;
  conversationCc: string;
  staffName: string;
  body: string;
  createdAt: Date;
  /** Typed as plain text (opened through the integration API), not Redmine markup. */
  plainText: boolean;
  attachments: Array<{ id: string; fileName: string; contentType: string }>;
}

/** The given staff answers that still exist and belong to conversations of this client, oldest first. */
export async function pendingAnswers(
  db: Db,
  accountId: string,
  messageIds: readonly string[],
): Promise<PendingAnswer[]> {
  if (messageIds.length === 0) return [];
  const rows = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select([
      'm.id as messageId',
      'm.conversation_id as conversationId',
      'c.subject as conversationSubject',
      'c.cc as conversationCc',
      'm.author_display_name as staffName',
      'm.body as body',
      'm.created_at as createdAt',
      'm.plain_text as plainText',
    ])
    .where('m.id', 'in', [...messageIds])
    .where('m.author_kind', '=', 'staff')
    .where('c.client_account_id', '=', accountId)
    .orderBy('m.created_at')
    .orderBy('m.id')
    .execute();
  if (rows.length === 0) return [];
  const files = await db
    .selectFrom('attachments')
    .select(['id', 'message_id', 'file_name', 'content_type'])
    .where(
      'message_id',
      'in',
      rows.map((r) => r.messageId),
    )
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    ...r,
    attachments: files
      .filter((f) => f.message_id === r.messageId)
      .map((f) => ({ id: f.id, fileName: f.file_name, contentType: f.content_type })),
  }));
}

/** The Redmine issues of the conversations these messages belong to (to re-read before sending). */
export async function issuesOfMessages(db: Db, messageIds: readonly string[]): Promise<number[]> {
  if (messageIds.length === 0) return [];
  const rows = await db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversation_id')
    .select('c.redmine_issue_id')
    .distinct()
    .where('m.id', 'in', [...messageIds])
    .where('c.redmine_issue_id', 'is not', null)
    .execute();
  return rows.map((r) => r.redmine_issue_id!);
}

/** Claims an SMS batch: true when it has not been sent yet (a retried step may send again only
 * if the previous attempt failed before recording it). */
export async function smsBatchToSend(db: Db, key: string, accountId: string): Promise<boolean> {
  await db
    .insertInto('notification_sms')
    .values({ idempotency_key: key, account_id: accountId, sent_at: null })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
  const row = await db
    .selectFrom('notification_sms')
    .select('status')
    .where('idempotency_key', '=', key)
    .executeTakeFirstOrThrow();
  return row.status === 'pending';
}

export async function markSmsBatchSent(db: Db, key: string): Promise<void> {
  await db
    .updateTable('notification_sms')
    .set({ status: 'sent', sent_at: new Date() })
    .where('idempotency_key', '=', key)
    .execute();
}
