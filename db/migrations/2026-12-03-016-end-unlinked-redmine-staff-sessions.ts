// Staff who signed in through Redmine before accounts were linked to a Redmine user id have no
// such id, so the staff access re-check cannot reach them: their sessions end here, once. Their
// next sign-in links the account (by its stored login) and checks it like any other.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`delete from sessions where kind = 'staff' and account_id in (
    select id from accounts where kind = 'staff' and redmine_login is not null and redmine_user_id is null
  )`.execute(db);
}

export async function down(): Promise<void> {
  // Ended sessions are not brought back.
}
