// How staff answers reach clients (issue #15): the outbox keeps an e-mail's HTML part and its
// mail headers (threading, one-click unsubscribe), one-click unsubscribe tokens are kept hashed,
// and each answer SMS is recorded once per batch so that a retried step does not text twice.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('notifications')
    .addColumn('body_html', 'text')
    // Message-ID, In-Reply-To, References, List-Unsubscribe: what the mailer adds to this e-mail.
    .addColumn('mail_headers', 'jsonb')
    .execute();
  await db.schema
    .createTable('notification_unsubscribe_tokens')
    // sha-256 of the token in the link: a leak of the table unsubscribes nobody.
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('notification_unsubscribe_tokens_account')
    .on('notification_unsubscribe_tokens')
    .column('account_id')
    .execute();
  await db.schema
    .createTable('notification_sms')
    .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'sent')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_sms').execute();
  await db.schema.dropTable('notification_unsubscribe_tokens').execute();
  await db.schema.alterTable('notifications').dropColumn('mail_headers').dropColumn('body_html').execute();
}
