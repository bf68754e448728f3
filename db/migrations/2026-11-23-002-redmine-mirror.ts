// The Redmine mirror: which issue a conversation is, which journal a message is, where the
// poller stands. Frozen: never import application types here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('redmine_project_id', 'integer')
    .addColumn('redmine_email_warned', 'text')
    .addColumn('origin', 'text', (c) =>
      c
        .notNull()
        .defaultTo('client')
        .check(sql`origin in ('client', 'redmine')`),
    )
    .execute();

  await db.schema
    .alterTable('messages')
    .addColumn('redmine_journal_id', 'integer', (c) => c.unique())
    // Client messages of a mirrored conversation: pending until the note is on the issue.
    .addColumn('redmine_delivery', 'text', (c) => c.check(sql`redmine_delivery in ('pending', 'delivered')`))
    .execute();

  await db.schema
    .alterTable('attachments')
    .addColumn('redmine_attachment_id', 'integer', (c) => c.unique())
    .execute();

  await db.schema
    .createTable('redmine_sync_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('redmine_sync_state').ifExists().execute();
  await db.schema.alterTable('attachments').dropColumn('redmine_attachment_id').execute();
  await db.schema.alterTable('messages').dropColumn('redmine_delivery').dropColumn('redmine_journal_id').execute();
  await db.schema
    .alterTable('conversations')
    .dropColumn('origin')
    .dropColumn('redmine_email_warned')
    .dropColumn('redmine_project_id')
    .execute();
}
