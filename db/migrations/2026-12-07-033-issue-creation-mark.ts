// A conversation's issue creation is marked before its POST is sent (issue #18): a creation whose
// answer never came (a timeout, a worker killed mid-call) may still be carried out by Redmine
// later, so the next attempt waits for it to settle before it searches and, only then, creates.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('redmine_issue_requested_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('redmine_issue_requested_at').execute();
}
