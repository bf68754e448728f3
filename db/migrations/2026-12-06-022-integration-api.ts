// The integration API (issue #17, item 1): the tokens administrators give business software
// (stored as SHA-256 digests, scoped to read or write and to all spaces or a list), the
// Idempotency-Key records that make every write safe to repeat, and the change feed a nightly job
// pages through.
//
// The change feed is written by triggers, in the same transaction as the change itself (cases,
// deposited pieces, messages), so no code path can forget it. Each row carries the id of the
// transaction that wrote it (`pg_current_xact_id()`); readers only hand out rows of transactions
// older than every transaction still running (`pg_snapshot_xmin`), ordered by (txid, position):
// a row that commits late cannot appear behind a cursor already handed out.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    // SHA-256 of the whole token (base64url): the table hands out nothing usable.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    // The first characters of the token, to recognise it in the list (never enough to use it).
    .addColumn('token_hint', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('read', 'write')`))
    .addColumn('all_spaces', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_by', 'uuid', (c) => c.notNull().references('accounts.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'uuid', (c) => c.references('accounts.id'))
    .execute();

  await db.schema
    .createTable('api_token_spaces')
    .addColumn('token_id', 'uuid', (c) => c.notNull().references('api_tokens.id').onDelete('cascade'))
    .addColumn('space_id', 'uuid', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('api_token_spaces_pk', ['token_id', 'space_id'])
    .execute();

  await db.schema
    .createTable('api_idempotency_keys')
    .addColumn('token_id', 'uuid', (c) => c.notNull().references('api_tokens.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    // SHA-256 of method, path and body: the same key with another request is refused.
    .addColumn('request_hash', 'text', (c) => c.notNull())
    // Null while the first request runs.
    .addColumn('status', 'integer')
    .addColumn('content_type', 'text')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .addPrimaryKeyConstraint('api_idempotency_keys_pk', ['token_id', 'key'])
    .execute();
  await db.schema
    .createIndex('api_idempotency_keys_created_idx')
    .on('api_idempotency_keys')
    .column('created_at')
    .execute();

  await db.schema
    .createTable('api_changes')
    .addColumn('position', 'bigserial', (c) => c.primaryKey())
    .addColumn('txid', sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('case', 'piece', 'message')`))
    .addColumn('entity_id', 'uuid', (c) => c.notNull())
    .addColumn('space_id', 'uuid', (c) => c.notNull())
    .addColumn('case_id', 'uuid')
    .addColumn('conversation_id', 'uuid')
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index api_changes_order_idx on api_changes (txid, position)`.execute(db);
  await sql`create index api_changes_space_idx on api_changes (space_id, txid, position)`.execute(db);

  await sql`
    create function api_change_of_case() returns trigger language plpgsql as $$
    begin
      insert into api_changes (kind, entity_id, space_id, case_id, operation)
      values ('case', new.id, new.space_id, new.id, lower(tg_op));
      return null;
    end $$`.execute(db);
  await sql`
    create function api_change_of_document() returns trigger language plpgsql as $$
    declare
      row_ record;
    begin
      if tg_op = 'DELETE' then row_ := old; else row_ := new; end if;
      insert into api_changes (kind, entity_id, space_id, case_id, operation)
      select 'piece', row_.id, c.space_id, c.id, lower(tg_op) from cases c where c.id = row_.case_id;
      return null;
    end $$`.execute(db);
  await sql`
    create function api_change_of_message() returns trigger language plpgsql as $$
    begin
      insert into api_changes (kind, entity_id, space_id, conversation_id, operation)
      select 'message', new.id, c.space_id, c.id, lower(tg_op) from conversations c where c.id = new.conversation_id;
      return null;
    end $$`.execute(db);
  await sql`create trigger api_change_case after insert or update on cases
    for each row execute function api_change_of_case()`.execute(db);
  await sql`create trigger api_change_document after insert or update or delete on documents
    for each row execute function api_change_of_document()`.execute(db);
  await sql`create trigger api_change_message after insert or update on messages
    for each row execute function api_change_of_message()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists api_change_message on messages`.execute(db);
  await sql`drop trigger if exists api_change_document on documents`.execute(db);
  await sql`drop trigger if exists api_change_case on cases`.execute(db);
  await sql`drop function if exists api_change_of_message()`.execute(db);
  await sql`drop function if exists api_change_of_document()`.execute(db);
  await sql`drop function if exists api_change_of_case()`.execute(db);
  await db.schema.dropTable('api_changes').execute();
  await db.schema.dropTable('api_idempotency_keys').execute();
  await db.schema.dropTable('api_token_spaces').execute();
  await db.schema.dropTable('api_tokens').execute();
}
