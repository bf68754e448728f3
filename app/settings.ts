// Administrators' settings writes: the appearance and languages of the client space, and the
// unpaid-invoice mode of downloads. Each write and its audit entry happen in one transaction.
import type { Db } from '../db/connect.js';
import { setUnpaidMode } from '../db/case-record.js';
import { saveSettings, type SettingsUpdate } from '../db/settings.js';
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

/** Saves the settings with their audit entry; returns the storage key of a logo replaced or
 * removed (the caller deletes that file once the change is committed). */
export function saveAppSettings(db: Db, actor: StaffActor, update: SettingsUpdate): Promise<string | null> {
  return db.transaction().execute(async (tx) => {
    const replaced = await saveSettings(tx, update);
    const { primaryColor, rowsPerPage, locales, logo } = update;
    await auditStaff(tx, actor, {
      action: 'settings.save',
      subjectType: 'settings',
      subjectId: '1',
      details: { primaryColor, rowsPerPage, locales, logo: logo === undefined ? 'kept' : logo ? 'new' : 'removed' },
    });
    return replaced;
  });
}
