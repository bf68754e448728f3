// The nightly retention sweep (a Temporal schedule, runtime/retention.ts): warn the clients whose
// closed cases' documents go within the warning period, deliver those e-mails, then delete the
// documents that are due. Batches keep the history short; what a run leaves, the next one takes.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

export interface RetentionSweepResult {
  warned: number;
  purged: number;
}

const BATCH = 50;
/** Batches per run at most (the next night takes the rest). */
const MAX_BATCHES = 20;

const { warnBeforeRetention, purgeExpiredCases } = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2, maximumAttempts: 20 },
});
// SMTP: patient retries, an outage must not lose a mail.
const { deliverNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

export function retentionScheduleId(taskQueue: string): string {
  return `retention-sweep-${taskQueue}`;
}

export async function retentionSweepWorkflow(): Promise<RetentionSweepResult> {
  const result: RetentionSweepResult = { warned: 0, purged: 0 };
  for (let i = 0; i < MAX_BATCHES; i++) {
    const { notificationIds, more } = await warnBeforeRetention({ limit: BATCH });
    await Promise.all(notificationIds.map((id) => deliverNotification(id)));
    result.warned += notificationIds.length;
    if (!more) break;
  }
  for (let i = 0; i < MAX_BATCHES; i++) {
    const { purged, more } = await purgeExpiredCases({ limit: BATCH });
    result.purged += purged;
    if (!more) break;
  }
  return result;
}
