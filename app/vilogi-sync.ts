// A staff member starts a Vilogi sync now: the sync workflow is started, then audited with its run.
// A workflow start cannot share a database transaction, so the audit entry follows it.
import type { Db } from '../db/connect.js';
import { auditStaff, type StaffActor } from './actor.js';

/** Starts a sync through the given port; returns its run's id. */
export async function syncVilogiNow(
  db: Db,
  actor: StaffActor,
  vilogi: { syncNow(): Promise<string> },
): Promise<string> {
  const runId = await vilogi.syncNow();
  await auditStaff(db, actor, { action: 'vilogi.sync_now', subjectType: 'vilogi_run', subjectId: runId });
  return runId;
}
