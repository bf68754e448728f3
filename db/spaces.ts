// Spaces (one per business line) as administrators manage them: name and the answer SLA policy
// (target, maximum, calendar or business hours, opening hours, team and manager e-mails, the
// satisfaction delay). Each change is audited with what it was before. A changed policy applies
// to the clocks that start afterwards; running clocks keep the deadlines they were given.
import type { Db } from './connect.js';
import type { Space } from './database.js';
import { audit } from './audit.js';
import { whereInScope, type StaffScope } from './staff-access.js';

export interface SpacePolicy {
  name: string;
  slaTargetHours: number;
  slaMaxHours: number;
  slaCalendar: 'calendar' | 'business';
  slaOpens: string;
  slaCloses: string;
  teamEmail: string | null;
  managerEmail: string | null;
  satisfactionTimeoutHours: number;
  /** Months the documents of a closed case are kept; null: kept. */
  retentionMonths: number | null;
}

export async function listSpaces(db: Db): Promise<Space[]> {
  return db.selectFrom('spaces').selectAll().orderBy('name').execute();
}

export async function findSpace(db: Db, id: string): Promise<Space | undefined> {
  return db.selectFrom('spaces').selectAll().where('id', '=', id).executeTakeFirst();
}

export function policyOf(space: Space): SpacePolicy {
  return {
    name: space.name,
    slaTargetHours: space.sla_target_hours,
    slaMaxHours: space.sla_max_hours,
    slaCalendar: space.sla_calendar,
    slaOpens: space.sla_opens,
    slaCloses: space.sla_closes,
    teamEmail: space.team_email,
    managerEmail: space.manager_email,
    satisfactionTimeoutHours: space.satisfaction_timeout_hours,
    retentionMonths: space.retention_months,
  };
}

const columns = (p: SpacePolicy) => ({
  name: p.name,
  sla_target_hours: p.slaTargetHours,
  sla_max_hours: p.slaMaxHours,
  sla_calendar: p.slaCalendar,
  sla_opens: p.slaOpens,
  sla_closes: p.slaCloses,
  team_email: p.teamEmail,
  manager_email: p.managerEmail,
  satisfaction_timeout_hours: p.satisfactionTimeoutHours,
  retention_months: p.retentionMonths,
});

export async function saveSpacePolicy(
  db: Db,
  actor: { id: string; ip: string | null },
  space: Space,
  policy: SpacePolicy,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('spaces').set(columns(policy)).where('id', '=', space.id).execute();
    await audit(tx, {
      actorAccountId: actor.id,
      actorKind: 'staff',
      action: 'space.policy',
      subjectType: 'space',
      subjectId: space.id,
      ip: actor.ip,
      details: { from: policyOf(space), to: policy },
    });
  });
}

/** A new space; undefined when the slug is taken. */
export async function createSpaceWithPolicy(
  db: Db,
  actor: { id: string; ip: string | null },
  slug: string,
  policy: SpacePolicy,
): Promise<Space | undefined> {
  return db.transaction().execute(async (tx) => {
    const space = await tx
      .insertInto('spaces')
      .values({ slug, ...columns(policy) })
      .onConflict((oc) => oc.column('slug').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (space)
      await audit(tx, {
        actorAccountId: actor.id,
        actorKind: 'staff',
        action: 'space.create',
        subjectType: 'space',
        subjectId: space.id,
        ip: actor.ip,
        details: { slug, policy },
      });
    return space;
  });
}

/** The spaces a staff member sees, by name (filters and forms of the back-office). */
export async function spacesInScope(db: Db, scope: StaffScope): Promise<Space[]> {
  return whereInScope(db.selectFrom('spaces').selectAll(), 'spaces.id', scope).orderBy('name').execute();
}

/** The id of a space with one of these identifiers (the first found), if any. */
export async function spaceIdWithSlug(db: Db, slugs: string[]): Promise<string | undefined> {
  if (slugs.length === 0) return undefined;
  return (await db.selectFrom('spaces').select('id').where('slug', 'in', slugs).executeTakeFirst())?.id;
}

/** The id of the space created first, if there is any space. */
export async function firstSpaceId(db: Db): Promise<string | undefined> {
  return (await db.selectFrom('spaces').select('id').orderBy('created_at').limit(1).executeTakeFirst())?.id;
}
