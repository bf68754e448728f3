// A Vilogi request's origin goes into its conversation's issue description when the issue is
// created (issue #18: a request in at most 3 Redmine calls): the instant that happened is kept,
// so that the run writes no separate origin note for it. Null for requests whose issue was
// created before (they keep their private origin note).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('vilogi_requests').addColumn('origin_in_issue_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('vilogi_requests').dropColumn('origin_in_issue_at').execute();
}
