// The delivery of webhook events, one step at a time for the endpoint's workflow: what to try
// now, and one attempt (POST once, record it, plan the next one or give up, pause an endpoint that
// fails for 24 hours and tell the administrators). Times come from the workflow (`now`, `at`), so
// the plan is the same in a replay and the 3-day window can be tested on skipped time; the
// `webhook-timestamp` header is the real clock, as receivers check it against theirs.
import { postWebhook } from '../../connectors/webhooks/index.js';
import type { Db } from '../../db/connect.js';
import { enqueueNotification } from '../../db/notifications.js';
import {
  administratorsToTell,
  deliveryToSend,
  findEndpoint,
  headDeliveries,
  markEndpointOutcome,
  pauseEndpoint,
  recordAttempt,
} from '../../db/webhooks.js';
import {
  addressAllowed,
  RETRY_WINDOW_MS,
  retryDelayMs,
  shouldPause,
  type TargetPolicy,
} from '../../domain/webhooks.js';
import { messages } from '../../i18n/index.js';

/** How many deliveries (of different cases) one round tries at once. */
const PARALLEL = 8;

export interface DeliveryPolicy extends TargetPolicy {
  timeoutMs: number;
}

export interface DeliveryPlan {
  /** The endpoint was deleted: the workflow ends. */
  gone: boolean;
  /** Deliveries to try now. */
  due: string[];
  /** When the next waiting delivery is due (ms since the epoch), if any. */
  nextAt: number | null;
}

export async function planDeliveries(db: Db, endpointId: string, now: number): Promise<DeliveryPlan> {
  const endpoint = await findEndpoint(db, endpointId);
  if (!endpoint) return { gone: true, due: [], nextAt: null };
  if (endpoint.status === 'paused') return { gone: false, due: [], nextAt: null };
  const heads = await headDeliveries(db, endpointId, 100);
  const due = heads.filter((h) => h.nextAttemptAt <= now).slice(0, PARALLEL);
  const later = heads.filter((h) => h.nextAttemptAt > now);
  return {
    gone: false,
    due: due.map((d) => d.id),
    nextAt: later.length > 0 ? Math.min(...later.map((h) => h.nextAttemptAt)) : null,
  };
}

/** The body sent: Standard Webhooks' `type`, `timestamp`, `data`. */
export function webhookBody(event: { type: string; payload: Record<string, unknown>; created_at: Date }): string {
  return JSON.stringify({ type: event.type, timestamp: event.created_at.toISOString(), data: event.payload });
}

export async function attemptDelivery(
  db: Db,
  policy: DeliveryPolicy,
  publicUrl: string,
  deliveryId: string,
  at: number,
): Promise<{ delivered: boolean; notificationIds: string[] }> {
  const found = await deliveryToSend(db, deliveryId);
  if (!found || found.delivery.status !== 'pending' || found.endpoint.status !== 'active')
    return { delivered: false, notificationIds: [] };
  const { delivery, endpoint, event } = found;
  const result = await postWebhook({
    url: endpoint.url,
    secret: endpoint.secret,
    id: event.id,
    timestampSeconds: Math.floor(Date.now() / 1000),
    body: webhookBody(event),
    timeoutMs: policy.timeoutMs,
    addressAllowed: (address) => addressAllowed(address, policy),
  });
  const when = new Date(at);
  const attempts = delivery.attempts + 1;
  const next = new Date(at + retryDelayMs(attempts));
  // The 3 days run from the first attempt (or the first after a replay or a resume).
  const giveUpAt = delivery.give_up_at ?? new Date(at + RETRY_WINDOW_MS);
  const status = result.ok ? 'delivered' : next.getTime() > giveUpAt.getTime() ? 'failed' : 'pending';
  return db.transaction().execute(async (tx) => {
    await recordAttempt(
      tx,
      delivery.id,
      { at: when, status: result.status, durationMs: result.durationMs, ok: result.ok, error: result.error },
      { status, nextAttemptAt: result.ok ? when : next, giveUpAt },
    );
    const after = await markEndpointOutcome(tx, endpoint.id, result.ok, when);
    if (result.ok || !after || !shouldPause(after.failing_since, when))
      return { delivered: result.ok, notificationIds: [] };
    if (!(await pauseEndpoint(tx, endpoint.id, when))) return { delivered: false, notificationIds: [] };
    const link = `${publicUrl}/back-office/webhooks/${endpoint.id}`;
    const notificationIds: string[] = [];
    for (const admin of await administratorsToTell(tx)) {
      const t = messages(admin.locale).webhooks;
      const n = await enqueueNotification(tx, {
        idempotencyKey: `webhook-paused:${endpoint.id}:${when.getTime()}:${admin.email}`,
        recipient: admin.email,
        subject: t.pausedMailSubject,
        bodyText: t.pausedMailBody(endpoint.url, link),
      });
      notificationIds.push(n.id);
    }
    return { delivered: false, notificationIds };
  });
}
