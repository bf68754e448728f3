// Personal data kept only as long as needed: a retention period per space for the documents of
// closed cases, the warning the client gets before they go, and when they went.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Months after a case is closed; null keeps documents for as long as the case exists.
  await db.schema
    .alterTable('spaces')
    .addColumn('retention_months', 'integer', (c) => c.check(sql`retention_months between 1 and 600`))
    .execute();
  await db.schema
    .alterTable('cases')
    .addColumn('retention_warned_at', 'timestamptz')
    .addColumn('purged_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('cases_closed_idx')
    .on('cases')
    .column('closed_at')
    .where(sql.ref('purged_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('cases_closed_idx').execute();
  await db.schema.alterTable('cases').dropColumn('purged_at').dropColumn('retention_warned_at').execute();
  await db.schema.alterTable('spaces').dropColumn('retention_months').execute();
}
