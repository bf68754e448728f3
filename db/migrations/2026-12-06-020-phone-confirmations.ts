// The confirmation of a phone number a client gives for SMS notifications (issue #15): one pending
// code per account, for one number. The code is kept only as an HMAC (a copy of the table gives
// no code away), lives 10 minutes and allows 5 tries; `sent_at` dates the last SMS for the page.
// A confirmed number is `notification_preferences.phone_confirmed_at`; the row is then deleted.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('phone_confirmations')
    .addColumn('account_id', 'uuid', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    // E.164, the number the code was sent to.
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('code_digest', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('phone_confirmations').execute();
}
