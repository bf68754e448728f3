// The staff directory as administrators see it, and the one role Guichet itself gives: head of
// service ("responsable de service", staff role `manager`), who may open the confidential view of
// a client's space. Names, e-mails and the administrator flag come from Redmine at sign-in.
import type { Db } from './connect.js';
import type { Account } from './database.js';
import { audit } from './audit.js';

export type TeamRole = 'agent' | 'manager';
export const TEAM_ROLES: readonly TeamRole[] = ['agent', 'manager'];

export async function listStaff(db: Db): Promise<Account[]> {
  return db.selectFrom('accounts').selectAll().where('kind', '=', 'staff').where('disabled_at', 'is', null).orderBy('full_name').execute();
}

/** Sets a staff member's role; false when there is no such staff member or nothing changed. */
export async function setStaffRole(db: Db, actor: { id: string; ip: string | null }, staffId: string, role: TeamRole): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const before = await tx.selectFrom('accounts').select('staff_role').where('id', '=', staffId).where('kind', '=', 'staff').forUpdate().executeTakeFirst();
    if (!before || before.staff_role === role) return false;
    await tx.updateTable('accounts').set({ staff_role: role }).where('id', '=', staffId).execute();
    await audit(tx, { actorAccountId: actor.id, actorKind: 'staff', action: 'staff.role', subjectType: 'account', subjectId: staffId, ip: actor.ip, details: { from: before.staff_role, to: role } });
    return true;
  });
}
