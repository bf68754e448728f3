// The staff directory as administrators see it, and the one role Guichet itself gives: head of
// service ("responsable de service", staff role `manager`), who may open the confidential view of
// a client's space. Names, e-mails and the administrator flag come from Redmine at sign-in.
import type { Db } from './connect.js';
import type { Account } from './database.js';
import { audit } from './audit.js';
import { endAccountSessions } from './sessions.js';

export type TeamRole = 'agent' | 'manager';
export const TEAM_ROLES: readonly TeamRole[] = ['agent', 'manager'];

export async function listStaff(db: Db): Promise<Account[]> {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('kind', '=', 'staff')
    .where('disabled_at', 'is', null)
    .orderBy('full_name')
    .execute();
}

/** Sets a staff member's role; false when there is no such staff member or nothing changed. */
export async function setStaffRole(
  db: Db,
  actor: { id: string; ip: string | null },
  staffId: string,
  role: TeamRole,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const before = await tx
      .selectFrom('accounts')
      .select('staff_role')
      .where('id', '=', staffId)
      .where('kind', '=', 'staff')
      .forUpdate()
      .executeTakeFirst();
    if (!before || before.staff_role === role) return false;
    await tx.updateTable('accounts').set({ staff_role: role }).where('id', '=', staffId).execute();
    await audit(tx, {
      actorAccountId: actor.id,
      actorKind: 'staff',
      action: 'staff.role',
      subjectType: 'account',
      subjectId: staffId,
      ip: actor.ip,
      details: { from: before.staff_role, to: role },
    });
    return true;
  });
}

/** The spaces each staff member is given, by account id (administrators see every space anyway). */
export async function staffSpaceIds(
  db: Db,
  accountIds: readonly string[],
): Promise<Map<string, Array<{ spaceId: string; source: 'redmine' | 'local' }>>> {
  const byAccount = new Map<string, Array<{ spaceId: string; source: 'redmine' | 'local' }>>();
  if (accountIds.length === 0) return byAccount;
  const rows = await db
    .selectFrom('staff_spaces')
    .select(['account_id', 'space_id', 'source'])
    .where('account_id', 'in', accountIds)
    .execute();
  for (const r of rows)
    byAccount.set(r.account_id, [...(byAccount.get(r.account_id) ?? []), { spaceId: r.space_id, source: r.source }]);
  return byAccount;
}

/**
 * Gives a local staff member exactly these spaces (rows of source `local`; rows that came from
 * Redmine are left alone). False when there is no such active staff member. Audited.
 */
export async function setLocalStaffSpaces(
  db: Db,
  actor: { id: string; ip: string | null },
  staffId: string,
  spaceIds: readonly string[],
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const target = await tx
      .selectFrom('accounts')
      .select('id')
      .where('id', '=', staffId)
      .where('kind', '=', 'staff')
      .where('disabled_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!target) return false;
    const before = await tx
      .selectFrom('staff_spaces')
      .select('space_id')
      .where('account_id', '=', staffId)
      .where('source', '=', 'local')
      .execute();
    await tx.deleteFrom('staff_spaces').where('account_id', '=', staffId).where('source', '=', 'local').execute();
    if (spaceIds.length > 0) {
      await tx
        .insertInto('staff_spaces')
        .values(spaceIds.map((spaceId) => ({ account_id: staffId, space_id: spaceId, source: 'local' as const })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await audit(tx, {
      actorAccountId: actor.id,
      actorKind: 'staff',
      action: 'staff.spaces',
      subjectType: 'account',
      subjectId: staffId,
      ip: actor.ip,
      details: { from: before.map((r) => r.space_id).sort(), to: [...spaceIds].sort() },
    });
    return true;
  });
}

/**
 * Removes a staff member from the team: the account is disabled (its history stays: audit,
 * answers, notes), its spaces are taken away and every session of it ends now. Returns how many
 * sessions ended, or undefined when there is no such active staff member. Audited.
 */
export async function removeStaff(
  db: Db,
  actor: { id: string; ip: string | null },
  staffId: string,
): Promise<{ sessionsEnded: number } | undefined> {
  return db.transaction().execute(async (tx) => {
    const target = await tx
      .selectFrom('accounts')
      .select('id')
      .where('id', '=', staffId)
      .where('kind', '=', 'staff')
      .where('disabled_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!target) return undefined;
    await tx.updateTable('accounts').set({ disabled_at: new Date() }).where('id', '=', staffId).execute();
    await tx.deleteFrom('staff_spaces').where('account_id', '=', staffId).execute();
    const sessionsEnded = await endAccountSessions(tx, staffId);
    await audit(tx, {
      actorAccountId: actor.id,
      actorKind: 'staff',
      action: 'staff.remove',
      subjectType: 'account',
      subjectId: staffId,
      ip: actor.ip,
      details: { sessionsEnded },
    });
    return { sessionsEnded };
  });
}
