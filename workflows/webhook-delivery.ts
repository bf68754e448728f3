// One workflow per webhook endpoint (`webhook-<endpointId>`) delivers its events: in order per
// case (only the oldest undelivered event of a case is tried; other cases pass), each attempt an
// activity that POSTs once and records it. Retries are this workflow's timers, not the activity's
// retry policy: each failed attempt is recorded and shown, the next one is planned from the
// database (30 s, doubling, at most 4 h, for 3 days), one failing case does not hold the others,
// and a paused endpoint simply waits. The database is the state: a continue-as-new loses nothing.
import {
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { WEBHOOK_WAKE_SIGNAL, webhookDeliveryWorkflowId } from '../domain/webhook-workflow.js';

export interface WebhookDeliveryInput {
  endpointId: string;
}

export { webhookDeliveryWorkflowId };

/** New events, a replay or a resume: look at the database again now. */
export const wakeSignal = defineSignal(WEBHOOK_WAKE_SIGNAL);

/**
 * Every event wakes the workflow. A wake-up may come just before its transaction commits (the use
 * cases signal inside it): a round that a signal started and that found nothing due looks again
 * after RECHECK_MS. The idle sweep only rescues a wake-up lost some other way.
 */
const RECHECK_MS = 2_000;
const SWEEP_MS = 30 * 60_000;
/** Rounds before a continue-as-new, whatever the history's size. */
const ROUNDS_PER_RUN = 500;

const { planWebhookDeliveries, attemptWebhookDelivery } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // Only the database can fail an activity here (an HTTP failure is a result): keep trying.
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});

const { deliverNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2, maximumAttempts: 20 },
});

export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<void> {
  let woken = false;
  setHandler(wakeSignal, () => {
    woken = true;
  });
  for (let round = 0; round < ROUNDS_PER_RUN; round++) {
    const signalled = woken;
    woken = false;
    const plan = await planWebhookDeliveries({ endpointId: input.endpointId, now: Date.now() });
    // Deleted (app/webhooks/endpoints.ts removeEndpoint wakes it after the commit): the run ends.
    if (plan.gone) return;
    if (plan.due.length > 0) {
      const results = await Promise.all(
        plan.due.map((deliveryId) => attemptWebhookDelivery({ deliveryId, at: Date.now() })),
      );
      for (const r of results) for (const id of r.notificationIds) await deliverNotification(id);
      continue;
    }
    const idle = plan.nextAt === null ? SWEEP_MS : Math.min(SWEEP_MS, Math.max(0, plan.nextAt - Date.now()));
    const wait = signalled ? Math.min(idle, RECHECK_MS) : idle;
    await condition(() => woken, wait);
    if (workflowInfo().continueAsNewSuggested) break;
  }
  await continueAsNew<typeof webhookDeliveryWorkflow>(input);
}
