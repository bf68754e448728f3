// The session purge's Temporal schedule: every hour, created or updated at start-up with the
// configured session limits; a run still going makes the next one skip.
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { sessionPurgeScheduleId, sessionPurgeWorkflow, type SessionPurgeInput } from '../workflows/index.js';
import { ensureSchedule } from './schedules.js';

export function ensureSessionPurgeSchedule(
  client: Client,
  taskQueue: string,
  limits: SessionPurgeInput,
): Promise<string> {
  const scheduleId = sessionPurgeScheduleId(taskQueue);
  return ensureSchedule(client, {
    scheduleId,
    spec: { intervals: [{ every: '1 hour' }] },
    action: {
      type: 'startWorkflow',
      workflowType: sessionPurgeWorkflow,
      workflowId: scheduleId,
      taskQueue,
      args: [limits],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  });
}
