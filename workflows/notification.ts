// Delivers one outbox row that the server wrote (id `notification-<key>`), with Temporal's
// retries, so an e-mail is never lost when SMTP is briefly down.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const { deliverNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2, maximumAttempts: 60 },
});

export function notificationWorkflowId(idempotencyKey: string): string {
  return `notification-${idempotencyKey}`;
}

export async function notificationWorkflow(input: { notificationId: string }): Promise<'sent' | 'already-sent'> {
  return deliverNotification(input.notificationId);
}
