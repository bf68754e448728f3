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
