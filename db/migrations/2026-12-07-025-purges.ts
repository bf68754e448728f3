// The purge schedule (issue #17 loose ends): where the change feed has been cut (a cursor from
// before that point gets a 410 `cursor-expired` instead of silently missing changes), and the
// indexes the purge's batches read by age, so that each batch is an index range, not a scan.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('purge_horizons')
    // What was purged ('api_changes').
    .addColumn('name', 'text', (c) => c.primaryKey())
    // The highest (txid, position) deleted: every position at or below it may be gone.
    .addColumn('txid', sql`xid8`, (c) => c.notNull())
    .addColumn('position', 'bigint', (c) => c.notNull())
    .addColumn('purged_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('api_changes_at_idx').on('api_changes').column('at').execute();
  await sql`create index webhook_deliveries_delivered_idx on webhook_deliveries (delivered_at)
    where status = 'delivered'`.execute(db);
  await db.schema.createIndex('webhook_events_created_idx').on('webhook_events').column('created_at').execute();
  await db.schema
    .createIndex('notification_unsubscribe_tokens_created_idx')
    .on('notification_unsubscribe_tokens')
    .column('created_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('notification_unsubscribe_tokens_created_idx').execute();
  await db.schema.dropIndex('webhook_events_created_idx').execute();
  await db.schema.dropIndex('webhook_deliveries_delivered_idx').execute();
  await db.schema.dropIndex('api_changes_at_idx').execute();
  await db.schema.dropTable('purge_horizons').execute();
}
