// Staff access bound to Redmine: a staff account follows a Redmine user by id (never by e-mail),
// is re-checked against Redmine at least every 15 minutes, and sees only the spaces it is given:
// the spaces whose Redmine project the user is a member of, or, for local staff, the spaces an
// administrator gives them.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('accounts')
    .addColumn('redmine_user_id', 'integer')
    // When Redmine last confirmed that this staff member may use the back-office.
    .addColumn('access_checked_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('accounts_redmine_user_idx')
    .unique()
    .on('accounts')
    .column('redmine_user_id')
    .where(sql.ref('redmine_user_id'), 'is not', null)
    .execute();
  await db.schema
    .createTable('staff_spaces')
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('space_id', 'uuid', (c) => c.notNull().references('spaces.id').onDelete('cascade'))
    // `redmine`: from the user's project memberships (replaced at each check); `local`: given by an administrator.
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('redmine', 'local')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('staff_spaces_pk', ['account_id', 'space_id'])
    .execute();
  await db.schema.createIndex('staff_spaces_space_idx').on('staff_spaces').column('space_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('staff_spaces').execute();
  await db.schema.dropIndex('accounts_redmine_user_idx').execute();
  await db.schema.alterTable('accounts').dropColumn('access_checked_at').dropColumn('redmine_user_id').execute();
}
