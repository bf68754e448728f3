// The Vilogi run writes a request's origin note with one Redmine call (issue #18): the instant it
// first tried is kept, so that only a request tried before (a crash between the note and its
// processing) pays for looking the note up by its marker before writing it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('vilogi_requests').addColumn('origin_note_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('vilogi_requests').dropColumn('origin_note_at').execute();
}
