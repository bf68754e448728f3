// The retention sweep's Temporal schedule: every night at 03:00 Paris time, created or updated at
// start-up; a run still going makes the next one skip; after downtime, one catch-up run.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { retentionScheduleId, retentionSweepWorkflow } from '../workflows/index.js';

export async function ensureRetentionSchedule(client: Client, taskQueue: string): Promise<string> {
  const scheduleId = retentionScheduleId(taskQueue);
  const spec = { cronExpressions: ['0 3 * * *'], timezone: 'Europe/Paris' };
  const action = { type: 'startWorkflow' as const, workflowType: retentionSweepWorkflow, workflowId: scheduleId, taskQueue, args: [] as [] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' as const };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
  }
  return scheduleId;
}
