// Exports a client asks for from their own space (issue #17): one row per ask, while its archive is
// built, then ready (a storage key nobody can guess) until it expires. The self-export workflow
// deletes the archive and the row at expiry; an erasure deletes them at once.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('self_exports')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('building')
        .check(sql`status in ('building', 'ready')`),
    )
    // The address the ask came from (the export's own audit entry names it).
    .addColumn('ip', 'text')
    .addColumn('storage_key', 'text')
    .addColumn('size_bytes', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('ready_at', 'timestamptz')
    .addColumn('expires_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('self_exports_account').on('self_exports').column('account_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('self_exports').execute();
}
