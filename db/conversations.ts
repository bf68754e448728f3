import { sql, type Expression } from 'kysely';
import type { Db } from './connect.js';
import type { AuthorKind, Conversation, ConversationStatus, Message, MessageKind } from './database.js';
import { preparedQuery } from './prepared.js';
import { liveSessionQuery, sessionOfRow, type SessionLimits, type SessionWithAccount } from './sessions.js';
import { EVERY_SPACE, whereInScope, type StaffScope } from './staff-access.js';

export interface ConversationSummary {
  id: string;
  subject: string;
  status: ConversationStatus;
  spaceName: string;
  lastMessageAt: Date;
  createdAt: Date;
  /** Staff answers the client has not opened yet. */
  unreadAnswers: number;
}

export interface StaffConversationSummary extends ConversationSummary {
  clientName: string;
  clientEmail: string;
  /** True when the last message is the client's: it waits for staff. */
  awaitingStaff: boolean;
}

export interface NewMessage {
  id: string;
  conversationId: string;
  authorKind: AuthorKind;
  authorAccountId: string | null;
  authorDisplayName: string;
  body: string;
  kind?: MessageKind;
  idempotencyKey?: string;
  redmineJournalId?: number;
  redmineDelivery?: 'pending' | 'delivered';
  createdAt?: Date;
  /** A staff message typed as plain text, not Redmine markup. */
  plainText?: boolean;
}

export async function createConversation(
  db: Db,
  c: { id: string; spaceId: string; clientAccountId: string; subject: string; cc: string; caseId?: string | null },
): Promise<Conversation> {
  return db
    .insertInto('conversations')
    .values({
      id: c.id,
      space_id: c.spaceId,
      client_account_id: c.clientAccountId,
      subject: c.subject,
      cc: c.cc,
      ...(c.caseId ? { case_id: c.caseId } : {}),
      last_message_at: new Date(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Inserts a message; with an idempotency key, a second insert is a no-op returning undefined. */
export async function insertMessage(db: Db, m: NewMessage): Promise<Message | undefined> {
  const message = await db
    .insertInto('messages')
    .values({
      id: m.id,
      conversation_id: m.conversationId,
      author_kind: m.authorKind,
      author_account_id: m.authorAccountId,
      author_display_name: m.authorDisplayName,
      body: m.body,
      kind: m.kind ?? 'message',
      idempotency_key: m.idempotencyKey ?? null,
      redmine_journal_id: m.redmineJournalId ?? null,
      redmine_delivery: m.redmineDelivery ?? null,
      ...(m.createdAt ? { created_at: m.createdAt } : {}),
      ...(m.plainText ? { plain_text: true } : {}),
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  // The automatic acknowledgement is not activity: it would move a conversation above the ones
  // the client wrote after it, depending only on how fast the worker ran.
  if (message && message.kind !== 'acknowledgement') {
    await db
      .updateTable('conversations')
      .set({ last_message_at: sql<Date>`greatest(last_message_at, ${message.created_at})` })
      .where('id', '=', m.conversationId)
      .execute();
  }
  return message;
}

export async function setConversationStatus(db: Db, id: string, status: ConversationStatus): Promise<void> {
  await db.updateTable('conversations').set({ status }).where('id', '=', id).execute();
}

const unreadAnswers = sql<number>`(
  select count(*)::int from messages m
  where m.conversation_id = conversations.id and m.author_kind = 'staff' and m.read_at is null
)`;

/** A client's conversations, one page, most recent first: the query, not yet run, without the
 * total. `client` is the client's id, or an expression naming it inside a larger query. */
function clientConversationPage(
  db: Db,
  client: string | Expression<string>,
  page: { limit: number; offset: number },
  scope: StaffScope,
) {
  return whereInScope(db.selectFrom('conversations'), 'conversations.space_id', scope)
    .innerJoin('spaces', 'spaces.id', 'conversations.space_id')
    .select([
      'conversations.id',
      'conversations.subject',
      'conversations.status',
      'conversations.last_message_at',
      'conversations.created_at',
      'spaces.name as space_name',
      unreadAnswers.as('unread_answers'),
    ])
    .where('conversations.client_account_id', '=', client)
    .orderBy('conversations.last_message_at', 'desc')
    .orderBy('conversations.id')
    .limit(page.limit)
    .offset(page.offset);
}

export interface ClientConversationPage {
  items: ConversationSummary[];
  total: number;
}

export async function listClientConversations(
  db: Db,
  clientAccountId: string,
  page: { limit: number; offset: number },
  /** A head of service's confidential view shows only the viewer's spaces. */
  scope: StaffScope = EVERY_SPACE,
): Promise<ClientConversationPage> {
  const counted = () =>
    whereInScope(db.selectFrom('conversations'), 'conversations.space_id', scope)
      .select(sql<number>`count(*)::int`.as('n'))
      .where('conversations.client_account_id', '=', clientAccountId);
  // One round trip for the page and its total: the count is an uncorrelated subquery (inside it,
  // `conversations` is its own table, not the outer row), run once by PostgreSQL, while the list
  // keeps its index scan and limit. The unread-answers subquery runs for the returned rows only.
  const rows = await clientConversationPage(db, clientAccountId, page, scope).select(counted().as('total')).execute();
  // A page past the end has no row to carry the total: only then is it asked alone.
  const total = rows[0]?.total ?? (page.offset === 0 ? 0 : (await counted().executeTakeFirstOrThrow()).n);
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      subject: r.subject,
      status: r.status,
      spaceName: r.space_name,
      lastMessageAt: r.last_message_at,
      createdAt: r.created_at,
      unreadAnswers: r.unread_answers,
    })),
  };
}

/** A conversation of the page as PostgreSQL's json_agg writes it: dates as ISO 8601 text. */
interface ConversationJson {
  id: string;
  subject: string;
  status: ConversationStatus;
  last_message_at: string;
  created_at: string;
  space_name: string;
  unread_answers: number;
}

/**
 * The client session `sessionId` checked exactly as findLiveSession checks it (db/sessions.ts
 * liveSessionQuery), and, when it is live, its client's page of conversations and their total,
 * in one query: one round trip instead of two for the most requested page. The session is read
 * from the database on every call (another server process may have ended it). The page comes as
 * one JSON value beside the session's row; no session, no row, and nothing of any client is read.
 * The client's own view only: a head of service's view (a scope) uses listClientConversations.
 */
export async function listClientConversationsOfSession(
  db: Db,
  sessionId: string,
  limits: SessionLimits,
  page: { limit: number; offset: number },
): Promise<{ session: SessionWithAccount; list: ClientConversationPage } | undefined> {
  const [row] = await sessionConversationPage(db, { sessionId, ...limits, ...page });
  if (!row) return undefined;
  const { conversation_page, conversation_total, ...sessionRow } = row;
  return {
    session: sessionOfRow(sessionRow),
    list: {
      total: conversation_total,
      items: conversation_page.map((r) => ({
        id: r.id,
        subject: r.subject,
        status: r.status,
        spaceName: r.space_name,
        lastMessageAt: new Date(r.last_message_at),
        createdAt: new Date(r.created_at),
        unreadAnswers: r.unread_answers,
      })),
    },
  };
}

/** The query of listClientConversationsOfSession, built and compiled once (db/prepared.ts): it
 * runs on every request of the most requested page. */
const sessionConversationPage = preparedQuery(
  (db: Db, v: { sessionId: string; idleMinutes: number; maxHours: number; limit: number; offset: number }) => {
    const client = sql<string>`live.id`;
    return db
      .with('live', () => liveSessionQuery(db, v.sessionId, 'client', v))
      .selectFrom('live')
      .selectAll('live')
      .select([
        sql<ConversationJson[]>`coalesce((
          select json_agg(page order by page.last_message_at desc, page.id)
          from ${clientConversationPage(db, client, v, EVERY_SPACE)} as page
        ), '[]'::json)`.as('conversation_page'),
        sql<number>`(
          select count(*)::int from conversations where conversations.client_account_id = ${client}
        )`.as('conversation_total'),
      ]);
  },
  ['sessionId', 'idleMinutes', 'maxHours', 'limit', 'offset'],
);

export async function listStaffConversations(
  db: Db,
  filter: { scope: StaffScope; spaceId?: string; status?: ConversationStatus; limit: number; offset: number },
): Promise<{ items: StaffConversationSummary[]; total: number }> {
  let query = whereInScope(
    db
      .selectFrom('conversations')
      .innerJoin('spaces', 'spaces.id', 'conversations.space_id')
      .innerJoin('accounts', 'accounts.id', 'conversations.client_account_id'),
    'conversations.space_id',
    filter.scope,
  );
  if (filter.spaceId) query = query.where('conversations.space_id', '=', filter.spaceId);
  if (filter.status) query = query.where('conversations.status', '=', filter.status);
  const [rows, count] = await Promise.all([
    query
      .select([
        'conversations.id',
        'conversations.subject',
        'conversations.status',
        'conversations.last_message_at',
        'conversations.created_at',
        'spaces.name as space_name',
        'accounts.full_name as client_name',
        'accounts.email as client_email',
        unreadAnswers.as('unread_answers'),
        sql<AuthorKind>`(
          select m.author_kind from messages m
          where m.conversation_id = conversations.id and m.kind = 'message'
          order by m.created_at desc limit 1
        )`.as('last_author'),
      ])
      .orderBy('conversations.last_message_at', 'desc')
      .orderBy('conversations.id')
      .limit(filter.limit)
      .offset(filter.offset)
      .execute(),
    query.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    total: count.n,
    items: rows.map((r) => ({
      id: r.id,
      subject: r.subject,
      status: r.status,
      spaceName: r.space_name,
      lastMessageAt: r.last_message_at,
      createdAt: r.created_at,
      unreadAnswers: r.unread_answers,
      clientName: r.client_name,
      clientEmail: r.client_email,
      awaitingStaff: r.last_author === 'client',
    })),
  };
}

/** The conversation only if it belongs to this client: the ownership check lives in the query. */
export async function findClientConversation(
  db: Db,
  clientAccountId: string,
  id: string,
  scope: StaffScope = EVERY_SPACE,
): Promise<Conversation | undefined> {
  return whereInScope(db.selectFrom('conversations'), 'conversations.space_id', scope)
    .selectAll()
    .where('id', '=', id)
    .where('client_account_id', '=', clientAccountId)
    .executeTakeFirst();
}

export async function findConversation(db: Db, id: string): Promise<Conversation | undefined> {
  return db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The conversation if it is in a space the staff member sees; otherwise it does not exist for them. */
export async function findStaffConversation(db: Db, scope: StaffScope, id: string): Promise<Conversation | undefined> {
  return whereInScope(
    db.selectFrom('conversations').selectAll().where('id', '=', id),
    'conversations.space_id',
    scope,
  ).executeTakeFirst();
}

export async function listMessages(db: Db, conversationId: string): Promise<Message[]> {
  return (
    db
      .selectFrom('messages')
      .selectAll()
      .where('conversation_id', '=', conversationId)
      .orderBy('created_at')
      // Redmine times are whole seconds: notes of the same second keep Redmine's order.
      .orderBy('redmine_journal_id')
      .orderBy('id')
      .execute()
  );
}

export interface AttachmentSummary {
  id: string;
  messageId: string;
  fileName: string;
  sizeBytes: number;
}

/** Attachments of a conversation's messages, by message id. */
export async function attachmentsByMessage(db: Db, conversationId: string): Promise<Map<string, AttachmentSummary[]>> {
  const rows = await db
    .selectFrom('attachments')
    .innerJoin('messages', 'messages.id', 'attachments.message_id')
    .select(['attachments.id', 'attachments.message_id', 'attachments.file_name', 'attachments.size_bytes'])
    .where('messages.conversation_id', '=', conversationId)
    .orderBy('attachments.created_at')
    .execute();
  const byMessage = new Map<string, AttachmentSummary[]>();
  for (const r of rows) {
    const list = byMessage.get(r.message_id) ?? [];
    list.push({ id: r.id, messageId: r.message_id, fileName: r.file_name, sizeBytes: r.size_bytes });
    byMessage.set(r.message_id, list);
  }
  return byMessage;
}

/**
 * A thread and its files as one snapshot (one repeatable-read transaction). Read apart, a note
 * mirrored between the two reads showed on the page without its file.
 */
export async function threadWithAttachments(
  db: Db,
  conversationId: string,
): Promise<{ messages: Message[]; attachments: Map<string, AttachmentSummary[]> }> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      const messages = await listMessages(tx, conversationId);
      return { messages, attachments: await attachmentsByMessage(tx, conversationId) };
    });
}

/** An attachment only if it belongs to this client's conversation. */
export async function findClientAttachment(
  db: Db,
  clientAccountId: string,
  conversationId: string,
  attachmentId: string,
) {
  return db
    .selectFrom('attachments')
    .innerJoin('messages', 'messages.id', 'attachments.message_id')
    .innerJoin('conversations', 'conversations.id', 'messages.conversation_id')
    .selectAll('attachments')
    .where('attachments.id', '=', attachmentId)
    .where('conversations.id', '=', conversationId)
    .where('conversations.client_account_id', '=', clientAccountId)
    .executeTakeFirst();
}

export async function findMessage(db: Db, id: string): Promise<Message | undefined> {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function markAnswersRead(db: Db, conversationId: string): Promise<void> {
  await db
    .updateTable('messages')
    .set({ read_at: new Date() })
    .where('conversation_id', '=', conversationId)
    .where('author_kind', '=', 'staff')
    .where('read_at', 'is', null)
    .execute();
}

/** Any attachment of a conversation (staff: the back-office sees every conversation). */
export async function findAttachment(db: Db, conversationId: string, attachmentId: string) {
  return db
    .selectFrom('attachments')
    .innerJoin('messages', 'messages.id', 'attachments.message_id')
    .selectAll('attachments')
    .where('attachments.id', '=', attachmentId)
    .where('messages.conversation_id', '=', conversationId)
    .executeTakeFirst();
}

export interface NewAttachment {
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  storageKey: string;
}

/** Files deposited with a message (in its transaction), in the order they came. */
export async function insertAttachments(db: Db, messageId: string, files: readonly NewAttachment[]): Promise<void> {
  if (files.length === 0) return;
  const base = Date.now();
  await db
    .insertInto('attachments')
    .values(
      files.map((f, i) => ({
        message_id: messageId,
        file_name: f.fileName,
        content_type: f.contentType,
        size_bytes: f.sizeBytes,
        sha256: f.sha256,
        storage_key: f.storageKey,
        // Distinct instants keep the order the files were chosen in.
        created_at: new Date(base + i),
        redmine_attachment_id: null,
      })),
    )
    .execute();
}

/** Attachments kept in Guichet's storage (not Redmine's files), of one message, in order. */
export async function storedAttachmentsOfMessage(db: Db, messageId: string) {
  return db
    .selectFrom('attachments')
    .selectAll()
    .where('message_id', '=', messageId)
    .where('storage_key', 'not like', 'redmine:%')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function setRedmineAttachmentId(db: Db, attachmentId: string, redmineAttachmentId: number): Promise<void> {
  await db
    .updateTable('attachments')
    .set({ redmine_attachment_id: redmineAttachmentId })
    .where('id', '=', attachmentId)
    .where('redmine_attachment_id', 'is', null)
    .execute();
}
