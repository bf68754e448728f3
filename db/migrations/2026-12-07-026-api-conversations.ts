// A conversation opened by business software may name the case it is about (issue #17): the link
// is kept on the conversation (null for every other conversation). A case deleted later leaves
// the conversation without it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('case_id', 'uuid', (c) => c.references('cases.id').onDelete('set null'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('case_id').execute();
}
