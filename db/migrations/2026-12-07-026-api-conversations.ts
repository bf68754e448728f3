// A conversation opened by business software (issue #17) may name the case it is about: the link
// is kept on the conversation (null for every other conversation; a case deleted later leaves the
// conversation without it). Its first message is staff's but plain text, not Redmine markup: a
// message says so, so that the client reads it as typed (staff notes are rendered as Textile or
// CommonMark).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('case_id', 'uuid', (c) => c.references('cases.id').onDelete('set null'))
    .execute();
  await db.schema
    .alterTable('messages')
    .addColumn('plain_text', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('messages').dropColumn('plain_text').execute();
  await db.schema.alterTable('conversations').dropColumn('case_id').execute();
}
