import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { Notification, NotificationMailHeaders } from './database.js';

export interface NewNotification {
  idempotencyKey: string;
  recipient: string;
  cc?: string[];
  subject: string;
  bodyText: string;
  sensitive?: boolean;
  conversationId?: string | null;
  /** An HTML part made by the sender (else delivery makes one from the text). */
  bodyHtml?: string | null;
  /** Threading and one-click unsubscribe headers. */
  mailHeaders?: NotificationMailHeaders | null;
}

/** Writes the notification once per idempotency key and returns the stored row. */
export async function enqueueNotification(db: Db, n: NewNotification): Promise<Notification> {
  await db
    .insertInto('notifications')
    .values({
      idempotency_key: n.idempotencyKey,
      channel: 'email',
      recipient: n.recipient,
      cc: (n.cc ?? []).join(', '),
      subject: n.subject,
      body_text: n.bodyText,
      sensitive: n.sensitive ?? false,
      conversation_id: n.conversationId ?? null,
      body_html: n.bodyHtml ?? null,
      mail_headers: n.mailHeaders ? JSON.stringify(n.mailHeaders) : null,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('idempotency_key', '=', n.idempotencyKey)
    .executeTakeFirstOrThrow();
}

export async function markNotificationSent(db: Db, id: string, blankBody: boolean): Promise<void> {
  await db
    .updateTable('notifications')
    .set((eb) => ({
      status: 'sent',
      sent_at: new Date(),
      attempts: eb('attempts', '+', 1),
      last_error: null,
      sending_until: null,
      ...(blankBody ? { body_text: '[removed after delivery: it held a password]', body_html: null } : {}),
    }))
    .where('id', '=', id)
    .execute();
}

export async function markNotificationAttemptFailed(db: Db, id: string, error: string): Promise<void> {
  await db
    .updateTable('notifications')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 500), sending_until: null }))
    .where('id', '=', id)
    .execute();
}

export async function listRecentNotifications(db: Db, limit: number): Promise<Notification[]> {
  return db.selectFrom('notifications').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
}

/**
 * Claims an outbox e-mail for one sending attempt, for `leaseMs` at most: the notification, or
 * 'sent' when it already went, 'busy' while another attempt holds it, undefined when not visible.
 */
export async function claimNotification(
  db: Db,
  id: string,
  leaseMs: number,
): Promise<Notification | 'sent' | 'busy' | undefined> {
  const claimed = await db
    .updateTable('notifications')
    .set({ sending_until: sql<Date>`now() + make_interval(secs => ${leaseMs / 1000})` })
    .where('id', '=', id)
    .where('status', '!=', 'sent')
    .where((eb) => eb.or([eb('sending_until', 'is', null), eb('sending_until', '<', sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
  if (claimed) return claimed;
  const row = await findNotification(db, id);
  if (!row) return undefined;
  return row.status === 'sent' ? 'sent' : 'busy';
}

export async function findNotification(db: Db, id: string): Promise<Notification | undefined> {
  return db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The id of the notification already queued under this idempotency key, if any. */
export async function queuedNotificationId(db: Db, idempotencyKey: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('notifications')
    .select('id')
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  return row?.id;
}
