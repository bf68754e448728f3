// SLA: a policy per space, the running clock's deadlines on each conversation, and one outcome
// per answered request (for attainment metrics). Frozen: never import application types here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('spaces')
    .addColumn('sla_target_hours', 'real', (c) =>
      c
        .notNull()
        .defaultTo(24)
        .check(sql`sla_target_hours > 0`),
    )
    .addColumn('sla_max_hours', 'real', (c) =>
      c
        .notNull()
        .defaultTo(48)
        .check(sql`sla_max_hours > 0`),
    )
    .addColumn('sla_calendar', 'text', (c) =>
      c
        .notNull()
        .defaultTo('calendar')
        .check(sql`sla_calendar in ('calendar', 'business')`),
    )
    .addColumn('sla_opens', 'text', (c) => c.notNull().defaultTo('09:00'))
    .addColumn('sla_closes', 'text', (c) => c.notNull().defaultTo('18:00'))
    .addColumn('team_email', 'text')
    .addColumn('manager_email', 'text')
    .addColumn('satisfaction_timeout_hours', 'real', (c) => c.notNull().defaultTo(72))
    .execute();

  await db.schema
    .alterTable('conversations')
    .addColumn('sla_started_at', 'timestamptz')
    .addColumn('sla_target_at', 'timestamptz')
    .addColumn('sla_max_at', 'timestamptz')
    .addColumn('satisfaction_asked_at', 'timestamptz')
    .addColumn('assignee_email', 'text')
    .execute();
  await db.schema.createIndex('conversations_sla_max_idx').on('conversations').column('sla_max_at').execute();

  await db.schema
    .createTable('sla_outcomes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('conversation_id', 'uuid', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
    .addColumn('space_id', 'uuid', (c) => c.notNull().references('spaces.id'))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('answered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('target_at', 'timestamptz', (c) => c.notNull())
    .addColumn('max_at', 'timestamptz', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('within_target', 'within_max', 'breached')`))
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sla_outcomes').ifExists().execute();
  await db.schema.dropIndex('conversations_sla_max_idx').ifExists().execute();
  await db.schema
    .alterTable('conversations')
    .dropColumn('assignee_email')
    .dropColumn('satisfaction_asked_at')
    .dropColumn('sla_max_at')
    .dropColumn('sla_target_at')
    .dropColumn('sla_started_at')
    .execute();
  await db.schema
    .alterTable('spaces')
    .dropColumn('satisfaction_timeout_hours')
    .dropColumn('manager_email')
    .dropColumn('team_email')
    .dropColumn('sla_closes')
    .dropColumn('sla_opens')
    .dropColumn('sla_calendar')
    .dropColumn('sla_max_hours')
    .dropColumn('sla_target_hours')
    .execute();
}
