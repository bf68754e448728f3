// Who in Redmine is assigned a conversation: reminded before the target, shown in the at-risk list.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('conversations')
    .addColumn('assignee_redmine_id', 'integer')
    .addColumn('assignee_name', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('assignee_redmine_id').dropColumn('assignee_name').execute();
}
