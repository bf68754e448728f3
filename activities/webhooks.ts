// The webhook delivery workflow's steps: what to try now, and one signed attempt. An HTTP failure
// is a result (recorded, retried by the workflow's timers); only the database fails an activity.
import { Context } from '@temporalio/activity';
import type { Db } from '../db/connect.js';
import { WEBHOOK_WAKE_SIGNAL, WEBHOOK_WORKFLOW_TYPE, webhookDeliveryWorkflowId } from '../domain/webhook-workflow.js';
import { attemptDelivery, planDeliveries, type DeliveryPlan, type DeliveryPolicy } from '../app/webhooks/delivery.js';

export interface WebhookActivityDeps {
  db: Db;
  publicUrl: string;
  /** Which targets may be called and how long an answer may take; default: public https only, 10 s. */
  webhookPolicy?: DeliveryPolicy;
}

const DEFAULT_POLICY: DeliveryPolicy = { allowLoopback: false, allowPrivateNetworks: false, timeoutMs: 10_000 };

export function createWebhookActivities({ db, publicUrl, webhookPolicy }: WebhookActivityDeps) {
  const policy = webhookPolicy ?? DEFAULT_POLICY;
  return {
    planWebhookDeliveries(input: { endpointId: string; now: number }): Promise<DeliveryPlan> {
      return planDeliveries(db, input.endpointId, input.now);
    },
    attemptWebhookDelivery(input: {
      deliveryId: string;
      at: number;
    }): Promise<{ delivered: boolean; notificationIds: string[] }> {
      return attemptDelivery(db, policy, publicUrl, input.deliveryId, input.at);
    },
  };
}

/**
 * Inside an activity: wakes the delivery workflows of endpoints given events by this activity,
 * through the worker's own Temporal client, once the events' transaction has committed.
 */
export async function wakeEndpointsFromActivity(endpointIds: readonly string[]): Promise<void> {
  if (endpointIds.length === 0) return;
  const { client, info } = Context.current();
  for (const endpointId of new Set(endpointIds))
    await client.workflow.signalWithStart(WEBHOOK_WORKFLOW_TYPE, {
      workflowId: webhookDeliveryWorkflowId(endpointId),
      taskQueue: info.taskQueue,
      args: [{ endpointId }],
      signal: WEBHOOK_WAKE_SIGNAL,
      signalArgs: [],
    });
}
