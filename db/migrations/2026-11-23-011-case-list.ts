// The back-office case list and the case's notepad. Search is accent- and case-insensitive: an
// immutable fold function (lower case, Latin accents and ligatures removed), with no extension
// needed (the embedded PGlite has none), kept folded in generated columns of cases (number, title,
// summary) and accounts (name, e-mail) and applied to the searched terms. The list is sorted by
// creation date and filtered by space: indexes for both. The notepad keeps every entry staff
// write on a case; each one also becomes a private note on the case's Redmine issue.
import { sql, type Kysely } from 'kysely';

const ACCENTED =
  'àáâãäåāăąçćčďèéêëēĕėęěìíîïīĭįıñńňòóôõöøōŏőŕřśšşťùúûüũūŭůűųýÿźżžÀÁÂÃÄÅĀĂĄÇĆČĎÈÉÊËĒĔĖĘĚÌÍÎÏĪĬĮİÑŃŇÒÓÔÕÖØŌŎŐŔŘŚŠŞŤÙÚÛÜŨŪŬŮŰŲÝŸŹŻŽ';
const PLAIN =
  'aaaaaaaaacccdeeeeeeeeeiiiiiiiinnnooooooooorrssstuuuuuuuuuuyyzzzAAAAAAAAACCCDEEEEEEEEEIIIIIIIINNNOOOOOOOOORRSSSTUUUUUUUUUUYYZZZ';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create or replace function guichet_fold(value text) returns text language sql immutable parallel safe as $$
    select lower(replace(replace(replace(replace(translate(value, ${sql.lit(ACCENTED)}, ${sql.lit(PLAIN)}), 'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae'))
  $$`.execute(db);
  // Folded once when a row is written, not for every row of every search (translate() over a
  // multibyte list costs ~70 µs a row: 1.5 s per search on 10,000 cases, see bench/case-list.ts).
  await sql`alter table cases add column search_fold text generated always as (guichet_fold(number || chr(10) || title || chr(10) || summary)) stored`.execute(
    db,
  );
  await sql`alter table accounts add column search_fold text generated always as (guichet_fold(full_name || chr(10) || email)) stored`.execute(
    db,
  );
  await db.schema.createIndex('cases_created_idx').on('cases').columns(['created_at desc', 'id desc']).execute();
  await db.schema.createIndex('cases_space_created_idx').on('cases').columns(['space_id', 'created_at desc']).execute();

  await db.schema
    .createTable('case_notes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('author_account_id', 'uuid', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('body', 'text', (c) => c.notNull().check(sql`length(body) between 1 and 5000`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('case_notes_case_idx').on('case_notes').columns(['case_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_notes').execute();
  await db.schema.dropIndex('cases_space_created_idx').execute();
  await db.schema.dropIndex('cases_created_idx').execute();
  await db.schema.alterTable('accounts').dropColumn('search_fold').execute();
  await db.schema.alterTable('cases').dropColumn('search_fold').execute();
  await sql`drop function guichet_fold(text)`.execute(db);
}
