// The data purge's Temporal schedule (workflows/data-purge.ts): every hour, created or brought to
// the configured retention at start-up; a run still going makes the next one skip.
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { dataPurgeScheduleId, dataPurgeWorkflow, type DataPurgeInput } from '../workflows/index.js';
import { ensureSchedule } from './schedules.js';

export function ensureDataPurgeSchedule(client: Client, taskQueue: string, input: DataPurgeInput): Promise<string> {
  const scheduleId = dataPurgeScheduleId(taskQueue);
  return ensureSchedule(client, {
    scheduleId,
    spec: { intervals: [{ every: '1 hour' }] },
    action: {
      type: 'startWorkflow',
      workflowType: dataPurgeWorkflow,
      workflowId: scheduleId,
      taskQueue,
      args: [input],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  });
}
