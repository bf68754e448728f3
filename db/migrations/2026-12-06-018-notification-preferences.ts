// How each client wants to be told of staff answers (issue #15): by e-mail for each answer, in one
// daily summary, or not at all; by SMS for each answer once a phone number is confirmed. The
// language of notifications is the account's `locale`. No row means the defaults: e-mail for each
// answer, no SMS. Password and security e-mails ignore these choices.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_preferences')
    .addColumn('account_id', 'uuid', (c) => c.primaryKey().references('accounts.id').onDelete('cascade'))
    .addColumn('email_mode', 'text', (c) =>
      c
        .notNull()
        .defaultTo('each')
        .check(sqlIn('email_mode', ['each', 'daily', 'none'])),
    )
    .addColumn('sms_mode', 'text', (c) =>
      c
        .notNull()
        .defaultTo('none')
        .check(sqlIn('sms_mode', ['each', 'none'])),
    )
    // E.164 (+33612345678); SMS go out only once it is confirmed.
    .addColumn('phone', 'text')
    .addColumn('phone_confirmed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_preferences').execute();
}

function sqlIn(column: string, values: readonly string[]) {
  return sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`);
}
