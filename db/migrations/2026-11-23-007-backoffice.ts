// Back-office: the administrator flag of staff, edited e-mail templates, the settings (branding,
// rows per page, languages), client records' contacts, contact actions, files and observation,
// the development SMS outbox. Frozen: never import application types here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('accounts')
    .addColumn('is_admin', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('observation', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await sql`update accounts set is_admin = true where staff_role = 'admin'`.execute(db);
  await db.schema.createIndex('accounts_redmine_login_idx').on('accounts').column('redmine_login').execute();

  // One row per edited template and language; without a row the default from code applies.
  await db.schema
    .createTable('email_templates')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull().check(sql`locale in ('fr', 'en')`))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_by', 'uuid', (c) => c.references('accounts.id').onDelete('set null'))
    .addPrimaryKeyConstraint('email_templates_pk', ['key', 'locale'])
    .execute();

  // A single row (id = 1).
  await db.schema
    .createTable('settings')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('primary_color', 'text', (c) =>
      c
        .notNull()
        .defaultTo('#0b5cab')
        .check(sql`primary_color ~ '^#[0-9a-f]{6}$'`),
    )
    .addColumn('rows_per_page', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(25)
        .check(sql`rows_per_page between 10 and 350`),
    )
    .addColumn('locales', 'text', (c) =>
      c
        .notNull()
        .defaultTo('fr,en')
        .check(sql`locales in ('fr', 'en', 'fr,en')`),
    )
    .addColumn('logo_key', 'text')
    .addColumn('logo_content_type', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`insert into settings (id) values (1) on conflict do nothing`.execute(db);

  await db.schema
    .createTable('client_contacts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('client_account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('postal', 'email', 'phone')`))
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`state in ('pending', 'validated', 'default', 'invalid')`),
    )
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('client_contacts_client_idx').on('client_contacts').column('client_account_id').execute();
  // One default per kind and client, whatever the code does.
  await db.schema
    .createIndex('client_contacts_one_default')
    .on('client_contacts')
    .columns(['client_account_id', 'kind'])
    .unique()
    .where(sql.ref('state'), '=', 'default')
    .execute();

  await db.schema
    .createTable('contact_actions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('client_account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('contact_id', 'uuid', (c) => c.references('client_contacts.id').onDelete('set null'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('call', 'letter', 'sms', 'email')`))
    .addColumn('staff_account_id', 'uuid', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('contact_actions_client_idx')
    .on('contact_actions')
    .columns(['client_account_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('client_files')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('client_account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'uuid', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('client_files_client_idx').on('client_files').column('client_account_id').execute();

  // Staff's reading state of each message (client messages are what staff read).
  await db.schema
    .alterTable('messages')
    .addColumn('staff_state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('to_read')
        .check(sql`staff_state in ('to_read', 'read', 'cancelled')`),
    )
    .execute();
  // Messages from before: what staff already answered counts as read.
  await sql`update messages m set staff_state = 'read' where m.author_kind <> 'client' or exists (
    select 1 from messages a where a.conversation_id = m.conversation_id and a.author_kind = 'staff' and a.created_at > m.created_at)`.execute(
    db,
  );

  // What the development SMS provider "sends": read at /dev/sms, never delivered.
  await db.schema
    .createTable('dev_sms_outbox')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'dev_sms_outbox',
    'client_files',
    'contact_actions',
    'client_contacts',
    'settings',
    'email_templates',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex('accounts_redmine_login_idx').execute();
  await db.schema.alterTable('messages').dropColumn('staff_state').execute();
  await db.schema.alterTable('accounts').dropColumn('is_admin').dropColumn('observation').execute();
}
