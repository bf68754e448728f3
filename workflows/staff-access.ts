// The staff access re-check (a Temporal schedule, runtime/staff-access.ts, every few minutes):
// every Redmine-linked staff account not checked for STAFF_RECHECK_DUE_MINUTES is read again
// from Redmine, in batches; locked, removed, deleted or no longer staff users lose the
// back-office and their sessions. A batch that fails (Redmine down) is retried by Temporal; the
// accounts it did not reach stay due, and the next run takes them first.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

export interface StaffAccessCheckResult {
  checked: number;
  revoked: number;
  sessionsEnded: number;
}

/** How often the schedule runs. */
export const STAFF_RECHECK_EVERY_MINUTES = 5;
/** An account checked less long ago than this (a sign-in just now) is left for the next run. */
export const STAFF_RECHECK_DUE_MINUTES = 4;

const BATCH = 25;
/** Batches per run at most (what is left stays due for the next run). */
const MAX_BATCHES = 200;

const { recheckStaffAccess } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 10 },
});

export function staffAccessScheduleId(taskQueue: string): string {
  return `staff-access-check-${taskQueue}`;
}

export async function staffAccessCheckWorkflow(input: { dueMinutes?: number } = {}): Promise<StaffAccessCheckResult> {
  // Workflow time: fixed for the run, so accounts checked during it are not taken again.
  const checkedBefore = new Date(Date.now() - (input.dueMinutes ?? STAFF_RECHECK_DUE_MINUTES) * 60_000).toISOString();
  const result: StaffAccessCheckResult = { checked: 0, revoked: 0, sessionsEnded: 0 };
  for (let i = 0; i < MAX_BATCHES; i++) {
    const batch = await recheckStaffAccess({ checkedBefore, limit: BATCH });
    result.checked += batch.checked;
    result.revoked += batch.revoked;
    result.sessionsEnded += batch.sessionsEnded;
    if (!batch.more) break;
  }
  return result;
}
