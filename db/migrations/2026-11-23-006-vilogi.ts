// The Vilogi sync: one row per Vilogi request ever seen (its id is the idempotency key of the
// import), the runs shown in the back-office, and the messages posted back to Vilogi.
// Frozen: never import application types here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('vilogi_requests')
    .addColumn('vilogi_id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('conversation', 'triage')`))
    .addColumn('first_run_id', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('author_email', 'text')
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('building', 'text')
    .addColumn('lot', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('filed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('space_id', 'uuid', (c) => c.references('spaces.id'))
    .addColumn('conversation_id', 'uuid', (c) => c.unique().references('conversations.id').onDelete('set null'))
    .addColumn('redmine_issue_id', 'integer')
    .addColumn('imported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('processed_at', 'timestamptz')
    .addColumn('vilogi_event_id', 'text')
    .execute();
  await db.schema
    .createIndex('vilogi_requests_pending_idx')
    .on('vilogi_requests')
    .column('imported_at')
    .where(sql.ref('processed_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('vilogi_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('trigger', 'text', (c) => c.notNull().check(sql`trigger in ('schedule', 'manual')`))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('running')
        .check(sql`status in ('running', 'done', 'failed')`),
    )
    .addColumn('fetched', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('known', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('triage', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('replies', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .execute();
  await db.schema.createIndex('vilogi_runs_started_idx').on('vilogi_runs').column('started_at').execute();

  await db.schema
    .createTable('vilogi_replies')
    .addColumn('vilogi_id', 'text', (c) => c.notNull().references('vilogi_requests.vilogi_id').onDelete('cascade'))
    .addColumn('source_ref', 'text', (c) => c.notNull())
    .addColumn('vilogi_message_id', 'text', (c) => c.notNull())
    .addColumn('posted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('vilogi_replies_pkey', ['vilogi_id', 'source_ref'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('vilogi_replies').ifExists().execute();
  await db.schema.dropTable('vilogi_runs').ifExists().execute();
  await db.schema.dropTable('vilogi_requests').ifExists().execute();
}
