// What administrators do with webhook endpoints, each change audited in its transaction: create
// one (its delivery workflow started), replace its secret, pause and resume it, send a delivery
// again, delete it (its workflow then ends). The audit entries name the endpoint, never its secret.
import type { Db } from '../../db/connect.js';
import type { WebhookEndpoint } from '../../db/database.js';
import {
  deleteEndpoint,
  findEndpoint,
  insertEndpoint,
  pauseEndpoint,
  replayDelivery,
  resumeEndpoint,
  setEndpointSecret,
} from '../../db/webhooks.js';
import type { WebhookEventType } from '../../domain/webhooks.js';
import { newWebhookSecret } from '../../connectors/webhooks/index.js';
import { auditStaff, type StaffActor } from '../actor.js';
import type { WorkflowGateway } from '../workflow-gateway.js';

export interface EndpointInput {
  url: string;
  description: string;
  events: readonly WebhookEventType[];
  /** Null: every space. */
  spaceIds: readonly string[] | null;
}

type Wake = Pick<WorkflowGateway, 'webhookEndpoint'>;

export async function createEndpoint(
  db: Db,
  workflows: Wake,
  actor: StaffActor,
  input: EndpointInput,
): Promise<WebhookEndpoint> {
  return db.transaction().execute(async (tx) => {
    const endpoint = await insertEndpoint(tx, { ...input, secret: newWebhookSecret(), createdBy: actor.id });
    await auditStaff(tx, actor, {
      action: 'webhook.create',
      subjectType: 'webhook_endpoint',
      subjectId: endpoint.id,
      details: { host: new URL(input.url).host, events: input.events, spaceIds: input.spaceIds },
    });
    await workflows.webhookEndpoint(endpoint.id);
    return endpoint;
  });
}

/** A new secret at once: the next attempts are signed with it. */
export async function rotateSecret(db: Db, actor: StaffActor, endpointId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await setEndpointSecret(tx, endpointId, newWebhookSecret()))) return false;
    await auditStaff(tx, actor, { action: 'webhook.rotate', subjectType: 'webhook_endpoint', subjectId: endpointId });
    return true;
  });
}

export async function pauseByHand(db: Db, actor: StaffActor, endpointId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await pauseEndpoint(tx, endpointId, new Date()))) return false;
    await auditStaff(tx, actor, { action: 'webhook.pause', subjectType: 'webhook_endpoint', subjectId: endpointId });
    return true;
  });
}

/** Active again; its waiting deliveries are tried now, for a new 3-day window. */
export async function resume(db: Db, workflows: Wake, actor: StaffActor, endpointId: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const now = new Date();
    if (!(await resumeEndpoint(tx, endpointId, now))) return false;
    await auditStaff(tx, actor, { action: 'webhook.resume', subjectType: 'webhook_endpoint', subjectId: endpointId });
    await workflows.webhookEndpoint(endpointId);
    return true;
  });
}

/** The delivery is sent again (same `webhook-id`), in its place in its case's order. */
export async function replay(
  db: Db,
  workflows: Wake,
  actor: StaffActor,
  endpointId: string,
  deliveryId: string,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const now = new Date();
    if (!(await findEndpoint(tx, endpointId))) return false;
    if (!(await replayDelivery(tx, endpointId, deliveryId, now))) return false;
    await auditStaff(tx, actor, {
      action: 'webhook.replay',
      subjectType: 'webhook_endpoint',
      subjectId: endpointId,
      details: { deliveryId },
    });
    await workflows.webhookEndpoint(endpointId);
    return true;
  });
}

/**
 * Deletes the endpoint, its secret and every delivery of it (pending ones are dropped, never
 * sent), audited in one transaction. Its delivery workflow is then woken: it finds the endpoint
 * gone and ends. The wake-up comes after the commit, so the workflow cannot read the endpoint
 * still there and send one more time; if Temporal does not answer, the deletion stands and the
 * workflow's idle sweep (30 minutes at most) ends it. False when there was no such endpoint.
 */
export async function removeEndpoint(
  db: Db,
  workflows: Wake,
  actor: StaffActor,
  endpointId: string,
): Promise<{ deleted: boolean; woken: boolean }> {
  const deleted = await db.transaction().execute(async (tx) => {
    const gone = await deleteEndpoint(tx, endpointId);
    if (!gone) return false;
    await auditStaff(tx, actor, {
      action: 'webhook.delete',
      subjectType: 'webhook_endpoint',
      subjectId: endpointId,
      details: { host: new URL(gone.url).host, droppedPending: gone.pending, droppedFailed: gone.failed },
    });
    return true;
  });
  if (!deleted) return { deleted: false, woken: false };
  try {
    await workflows.webhookEndpoint(endpointId);
    return { deleted: true, woken: true };
  } catch {
    return { deleted: true, woken: false };
  }
}
