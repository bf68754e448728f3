// "A client is looking" for the Redmine poll (issue #18): the poll keeps its fast pace while a
// client page was served lately, and backs off when nobody looks and nothing changed. One row
// for the whole deployment, written at most once every few seconds by the client pages (the
// write is throttled in its WHERE clause, so a page view usually writes nothing) and read by the
// poll (the age of the last look, computed by PostgreSQL so that no clock of another machine
// enters). No personal data: only when some client last looked.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('mirror_watch')
    .addColumn('id', 'smallint', (c) =>
      c
        .primaryKey()
        .defaultTo(1)
        .check(sql`id = 1`),
    )
    .addColumn('seen_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`insert into mirror_watch (id, seen_at) values (1, to_timestamp(0))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mirror_watch').execute();
}
