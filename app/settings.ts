// Administrators' settings writes that are audited here: the unpaid-invoice mode of downloads.
// The write and its audit entry happen in one transaction.
import type { Db } from '../db/connect.js';
import { setUnpaidMode } from '../db/case-record.js';
import type { UnpaidMode } from '../domain/downloads.js';
import { auditStaff, type StaffActor } from './actor.js';

export function changeUnpaidMode(db: Db, actor: StaffActor, mode: UnpaidMode): Promise<void> {
  return db.transaction().execute(async (tx) => {
    await setUnpaidMode(tx, mode);
    await auditStaff(tx, actor, {
      action: 'settings.unpaid_mode',
      subjectType: 'settings',
      subjectId: '1',
      details: { mode },
    });
  });
}
