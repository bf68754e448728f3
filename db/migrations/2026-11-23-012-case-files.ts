// Files staff put in a case for the client (the reports of seed 003), the unpaid-cases mode of
// the settings, and an index that lets a file's access history be read from the audit log.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('case_files')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull())
    .addColumn('page_count', 'integer')
    .addColumn('uploaded_by', 'uuid', (c) => c.references('accounts.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('case_files_case_idx').on('case_files').columns(['case_id', 'created_at']).execute();
  // Downloads and other events of one subject (a case file, a document), newest first.
  await db.schema
    .createIndex('audit_log_subject_idx')
    .on('audit_log')
    .columns(['subject_type', 'subject_id', 'at'])
    .execute();
  await db.schema
    .alterTable('settings')
    .addColumn('unpaid_mode', 'text', (c) =>
      c
        .notNull()
        .defaultTo('off')
        .check(sql`unpaid_mode in ('off', 'watermark', 'block')`),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('settings').dropColumn('unpaid_mode').execute();
  await db.schema.dropIndex('audit_log_subject_idx').execute();
  await db.schema.dropTable('case_files').execute();
}
