// The retention sweep's Temporal schedule: every night at 03:00 Paris time, created or updated at
// start-up; a run still going makes the next one skip; after downtime, one catch-up run.
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { retentionScheduleId, retentionSweepWorkflow } from '../workflows/index.js';
import { ensureSchedule } from './schedules.js';

export function ensureRetentionSchedule(client: Client, taskQueue: string): Promise<string> {
  const scheduleId = retentionScheduleId(taskQueue);
  return ensureSchedule(client, {
    scheduleId,
    spec: { cronExpressions: ['0 3 * * *'], timezone: 'Europe/Paris' },
    action: {
      type: 'startWorkflow',
      workflowType: retentionSweepWorkflow,
      workflowId: scheduleId,
      taskQueue,
      args: [],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  });
}
