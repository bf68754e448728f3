// The staff access re-check's Temporal schedule: every STAFF_RECHECK_EVERY_MINUTES, created or
// updated at start-up when staff sign in through Redmine; a run still going makes the next one
// skip; after downtime, one catch-up run.
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { STAFF_RECHECK_EVERY_MINUTES, staffAccessCheckWorkflow, staffAccessScheduleId } from '../workflows/index.js';
import { ensureSchedule } from './schedules.js';

export function ensureStaffAccessSchedule(client: Client, taskQueue: string): Promise<string> {
  const scheduleId = staffAccessScheduleId(taskQueue);
  return ensureSchedule(client, {
    scheduleId,
    spec: { intervals: [{ every: `${STAFF_RECHECK_EVERY_MINUTES}m` }] },
    action: {
      type: 'startWorkflow',
      workflowType: staffAccessCheckWorkflow,
      workflowId: scheduleId,
      taskQueue,
      args: [{}],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '15m' },
  });
}
