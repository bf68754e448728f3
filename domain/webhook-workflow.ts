// The names by which the webhook delivery workflow is reached: its id per endpoint, its type and
// its wake-up signal (the workflow, the Temporal gateway and the activities that wake it share them).
export const WEBHOOK_WORKFLOW_TYPE = 'webhookDeliveryWorkflow';
export const WEBHOOK_WAKE_SIGNAL = 'wake';

export function webhookDeliveryWorkflowId(endpointId: string): string {
  return `webhook-${endpointId}`;
}
