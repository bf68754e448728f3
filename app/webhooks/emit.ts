// Writes a webhook event into the outbox, in the caller's transaction: the event exists exactly
// when the change that causes it does. Each endpoint that wants it gets a pending delivery, and
// its delivery workflow (`webhook-<endpointId>`) is woken inside the same transaction, as every
// other signal of the use cases is. Callers without a gateway (activities) wake the endpoints
// returned once their transaction has committed.
import type { Db } from '../../db/connect.js';
import { endpointsFor, insertEventWithDeliveries } from '../../db/webhooks.js';
import type { WebhookEventType } from '../../domain/webhooks.js';
import type { WorkflowGateway } from '../workflow-gateway.js';

export interface WebhookEvent {
  type: WebhookEventType;
  /** `case:<id>` or `conversation:<id>`: events with one key are delivered in order. */
  orderingKey: string;
  spaceId: string | null;
  /** Ids, states and references only: see docs/webhooks.md. */
  data: Record<string, unknown>;
}

export async function emitWebhookEvent(
  tx: Db,
  workflows: Partial<Pick<WorkflowGateway, 'webhookEndpoint'>> | undefined,
  event: WebhookEvent,
): Promise<string[]> {
  const endpoints = await endpointsFor(tx, event.type, event.spaceId);
  if (endpoints.length === 0) return [];
  const deliveries = await insertEventWithDeliveries(
    tx,
    { type: event.type, orderingKey: event.orderingKey, spaceId: event.spaceId, payload: event.data },
    endpoints,
  );
  if (workflows?.webhookEndpoint) for (const d of deliveries) await workflows.webhookEndpoint(d.endpointId);
  return endpoints;
}

/** The ordering key of a case's events. */
export const caseKey = (caseId: string) => `case:${caseId}`;
/** The ordering key of a conversation's events. */
export const conversationKey = (conversationId: string) => `conversation:${conversationId}`;
