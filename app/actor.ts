// Who makes a change from the back office, for its audit entry: the staff member and the address
// the request came from. Every use case that writes on a staff member's behalf takes one.
import { audit, type AuditEntry } from '../db/audit.js';
import type { Db } from '../db/connect.js';

export interface StaffActor {
  id: string;
  ip: string | null;
}

/** The audit entry of a change a staff member made; `db` is the transaction of the change. */
export function auditStaff(
  db: Db,
  actor: StaffActor,
  entry: Omit<AuditEntry, 'actorAccountId' | 'actorKind' | 'ip'>,
): Promise<void> {
  return audit(db, { actorAccountId: actor.id, actorKind: 'staff', ip: actor.ip, ...entry });
}
