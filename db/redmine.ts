// Queries of the Redmine mirror.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { Conversation, ConversationStatus, Message, Space } from './database.js';
import { createConversation, insertMessage, type NewMessage } from './conversations.js';

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

/**
 * Claims the creation of a conversation's issue: marks that its POST is about to be sent, unless
 * the issue is linked or an earlier attempt sent one less than `settleMs` ago (read on the
 * database's clock, the same for every machine). `claimed`, or how long the earlier one has left.
 */
export async function claimIssueCreation(
  db: Db,
  conversationId: string,
  settleMs: number,
): Promise<{ claimed: true } | { claimed: false; waitMs: number }> {
  const settle = sql<Date>`now() - ${settleMs} * interval '1 millisecond'`;
  const claimed = await db
    .updateTable('conversations')
    .set({ redmine_issue_requested_at: sql<Date>`now()` })
    .where('id', '=', conversationId)
    .where('redmine_issue_id', 'is', null)
    .where((eb) =>
      eb.or([eb('redmine_issue_requested_at', 'is', null), eb('redmine_issue_requested_at', '<=', settle)]),
    )
    .returning('id')
    .executeTakeFirst();
  if (claimed) return { claimed: true };
  const row = await db
    .selectFrom('conversations')
    .select(
      sql<number>`greatest(0, ceil(extract(epoch from (redmine_issue_requested_at - ${settle})) * 1000))::float8`.as(
        'wait_ms',
      ),
    )
    .where('id', '=', conversationId)
    .executeTakeFirst();
  return { claimed: false, waitMs: Math.max(1000, Number(row?.wait_ms ?? 0)) };
}

/** The creation's request is over (answered, refused, connection closed): a search now sees what it did. */
export async function releaseIssueCreation(db: Db, conversationId: string): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ redmine_issue_requested_at: null })
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

// --- the mirror's activities (activities/redmine/) ---------------------------------------------

/** The slug of a space (its Redmine project is mapped by slug). */
export async function spaceSlugOf(db: Db, spaceId: string): Promise<string | undefined> {
  const space = await db.selectFrom('spaces').select('slug').where('id', '=', spaceId).executeTakeFirst();
  return space?.slug;
}

export async function findSpaceBySlug(db: Db, slug: string): Promise<Space | undefined> {
  return db.selectFrom('spaces').selectAll().where('slug', '=', slug).executeTakeFirst();
}

/** The e-mail of the active staff account with this Redmine login, if any. */
export async function staffEmailOfRedmineLogin(db: Db, login: string): Promise<string | undefined> {
  const staff = await db
    .selectFrom('accounts')
    .select('email')
    .where('kind', '=', 'staff')
    .where('redmine_login', '=', login)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return staff?.email;
}

export async function setConversationAssignee(
  db: Db,
  conversationId: string,
  assignee: { redmineId: number | null; name: string | null; email: string | null },
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ assignee_redmine_id: assignee.redmineId, assignee_name: assignee.name, assignee_email: assignee.email })
    .where('id', '=', conversationId)
    .execute();
}

/** A Redmine attachment that a mirrored staff note carries (its file stays in Redmine). */
export interface MirroredAttachment {
  id: number;
  filename: string;
  contentType: string | undefined;
  filesize: number;
}

/**
 * A staff note as a message, with its files, in one transaction: a page never shows one without
 * the other. Undefined when the journal was already mirrored (its idempotency key).
 */
export async function insertMirroredJournal(
  db: Db,
  message: NewMessage,
  attachments: readonly MirroredAttachment[],
): Promise<Message | undefined> {
  return db.transaction().execute(async (tx) => {
    const row = await insertMessage(tx, message);
    if (!row) return undefined; // another poll got there first
    for (const attachment of attachments) {
      await tx
        .insertInto('attachments')
        .values({
          message_id: message.id,
          file_name: attachment.filename,
          content_type: attachment.contentType ?? 'application/octet-stream',
          size_bytes: attachment.filesize,
          sha256: '',
          storage_key: `redmine:${attachment.id}`,
          redmine_attachment_id: attachment.id,
        })
        .onConflict((oc) => oc.column('redmine_attachment_id').doNothing())
        .execute();
    }
    return row;
  });
}

/** A conversation for an issue staff opened in Redmine, dated as the issue (one transaction). */
export async function createConversationFromIssue(
  db: Db,
  c: {
    id: string;
    spaceId: string;
    clientAccountId: string;
    subject: string;
    issueId: number;
    projectId: number;
    createdOn: Date;
  },
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await createConversation(tx, {
      id: c.id,
      spaceId: c.spaceId,
      clientAccountId: c.clientAccountId,
      subject: c.subject,
      cc: '',
    });
    await tx
      .updateTable('conversations')
      .set({
        redmine_issue_id: c.issueId,
        redmine_project_id: c.projectId,
        origin: 'redmine',
        created_at: c.createdOn,
      })
      .where('id', '=', c.id)
      .execute();
  });
}

/** A client message that has nowhere to go in Redmine: it waits for nothing. */
export async function settleUnmirroredMessage(db: Db, messageId: string): Promise<void> {
  await db
    .updateTable('messages')
    .set({ redmine_delivery: null })
    .where('id', '=', messageId)
    .where('redmine_delivery', '=', 'pending')
    .execute();
}
