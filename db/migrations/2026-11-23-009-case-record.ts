// The case record of the back-office (seed 003): summary, conclusions, payment state and amount,
// the collaborator it is assigned to; per client, the exemption from unpaid-case restrictions;
// per staff member, the rows per page they chose. Case numbers become unique whatever their case
// and space (a client types "telefi-2026-004217" and must land on exactly one case).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('cases')
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('conclusions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('payment_state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('paid')
        .check(sql`payment_state in ('paid', 'unpaid')`),
    )
    .addColumn('payment_amount_cents', 'integer', (c) => c.check(sql`payment_amount_cents >= 0`))
    .addColumn('assignee_account_id', 'uuid', (c) => c.references('accounts.id').onDelete('set null'))
    .execute();
  await db.schema.createIndex('cases_assignee_idx').on('cases').column('assignee_account_id').execute();
  await db.schema.dropIndex('cases_number_uq').execute();
  await sql`drop index cases_number_lower_idx`.execute(db);
  await sql`create unique index cases_number_lower_uq on cases (lower(number))`.execute(db);

  await db.schema
    .alterTable('accounts')
    // Clients: may download the files of their unpaid cases as if paid (seed 003, VII.3).
    .addColumn('unpaid_exempt', 'boolean', (c) => c.notNull().defaultTo(false))
    // Staff: rows per page of the back-office lists, remembered per person (10–350).
    .addColumn('rows_per_page', 'integer', (c) => c.check(sql`rows_per_page between 10 and 350`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('unpaid_exempt').dropColumn('rows_per_page').execute();
  await sql`drop index cases_number_lower_uq`.execute(db);
  await sql`create index cases_number_lower_idx on cases (lower(number))`.execute(db);
  await db.schema.createIndex('cases_number_uq').on('cases').columns(['space_id', 'number']).unique().execute();
  await db.schema.dropIndex('cases_assignee_idx').execute();
  await db.schema
    .alterTable('cases')
    .dropColumn('summary')
    .dropColumn('conclusions')
    .dropColumn('payment_state')
    .dropColumn('payment_amount_cents')
    .dropColumn('assignee_account_id')
    .execute();
}
