// Rate-limit counters shared by every server process: rate-limiter-flexible's Postgres store
// (app/rate-limits.ts) reads and writes this table, which is created here rather than by the
// library at run time. Its own statement says varchar(255); text takes an e-mail of any length.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    // Milliseconds since the epoch, as the library writes them.
    .addColumn('expire', 'bigint')
    .execute();
  await db.schema.createIndex('rate_limits_expire_idx').on('rate_limits').column('expire').execute();
  // The purge of ended sessions reads them by their last request and their start.
  await db.schema.createIndex('sessions_last_seen_idx').on('sessions').column('last_seen_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sessions_last_seen_idx').execute();
  await db.schema.dropTable('rate_limits').execute();
}
