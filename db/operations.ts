// Queries of the operations pages: the health check's database ping, the metrics' outbox count.
import { sql } from 'kysely';
import type { Db } from './connect.js';

/** Runs the smallest query there is: it throws when the database cannot be reached. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/** E-mails written to the outbox and not delivered yet. */
export async function pendingNotificationCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The outbox's depth and how long its oldest pending e-mail has waited (seconds; 0 when empty). */
export async function outboxState(db: Db): Promise<{ pending: number; oldestSeconds: number }> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      sql<number | null>`extract(epoch from now() - min(created_at))`.as('oldest'),
    ])
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return { pending: Number(row.n), oldestSeconds: Math.max(0, Number(row.oldest ?? 0)) };
}

/** Seconds since the newest Redmine journal was mirrored into a message; undefined before any. */
export async function newestMirroredJournalAge(db: Db): Promise<number | undefined> {
  const row = await db
    .selectFrom('messages')
    .select(sql<number | null>`extract(epoch from now() - max(created_at))`.as('age'))
    .where('redmine_journal_id', 'is not', null)
    .executeTakeFirstOrThrow();
  return row.age === null ? undefined : Math.max(0, Number(row.age));
}
