// Contributors (seed 002): per-role permissions on each template role, whether the main client
// may invite, and the people a case is shared with (contributors of a role, occasional access)
// with their invitation links, kept only as hashes.
import { sql, type Kysely } from 'kysely';

const MAIN = { view: true, deposit: true, message: true, seeAll: true };
const CONTRIBUTOR = { view: true, deposit: true, message: false, seeAll: false };

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('document_templates')
    .addColumn('contributors_invitable', 'boolean', (c) => c.notNull().defaultTo(true))
    .execute();

  // Every shipped role gets its permissions: the first role is the main client's.
  const templates: Array<{ id: string; roles: Array<Record<string, unknown>> }> = await db
    .selectFrom('document_templates')
    .select(['id', 'roles'])
    .execute();
  for (const t of templates) {
    const roles = t.roles.map((r, i) => ({ ...r, permissions: r.permissions ?? (i === 0 ? MAIN : CONTRIBUTOR) }));
    await db
      .updateTable('document_templates')
      .set({ roles: JSON.stringify(roles) })
      .where('id', '=', t.id)
      .execute();
  }

  await db.schema
    .createTable('case_members')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('cases.id').onDelete('cascade'))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('accounts.id'))
    // contributor: a role of the template; occasional: view-only access granted by staff (seed 003).
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('contributor', 'occasional')`))
    .addColumn('role', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('invited')
        .check(sql`status in ('invited', 'active', 'revoked', 'expired')`),
    )
    .addColumn('invited_by', 'uuid', (c) => c.references('accounts.id').onDelete('set null'))
    // Bumped by each (re-)invitation: links and timers of an older one are dead.
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('invited_at', 'timestamptz')
    .addColumn('invitation_expires_at', 'timestamptz')
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('expired_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('case_members_case_account_uq', ['case_id', 'account_id'])
    .addCheckConstraint('case_members_role_ck', sql`(kind = 'contributor') = (role is not null)`)
    .execute();
  await db.schema
    .createIndex('case_members_account_idx')
    .on('case_members')
    .columns(['account_id', 'status'])
    .execute();

  // One row per link sent (the invitation and each reminder); all die on acceptance or re-invitation.
  await db.schema
    .createTable('case_member_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'uuid', (c) => c.notNull().references('case_members.id').onDelete('cascade'))
    .addColumn('generation', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('case_member_tokens_member_idx').on('case_member_tokens').column('member_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('case_member_tokens').ifExists().execute();
  await db.schema.dropTable('case_members').ifExists().execute();
  await db.schema.alterTable('document_templates').dropColumn('contributors_invitable').execute();
}
