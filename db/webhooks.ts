// Queries of the signed webhooks: endpoints, the event outbox, deliveries and their attempts.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint } from './database.js';

export interface NewEndpoint {
  url: string;
  description: string;
  events: readonly string[];
  spaceIds: readonly string[] | null;
  secret: string;
  createdBy: string;
}

export async function insertEndpoint(db: Db, e: NewEndpoint): Promise<WebhookEndpoint> {
  return db
    .insertInto('webhook_endpoints')
    .values({
      url: e.url,
      description: e.description,
      events: JSON.stringify(e.events),
      space_ids: e.spaceIds ? JSON.stringify(e.spaceIds) : null,
      secret: e.secret,
      created_by: e.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listEndpoints(db: Db): Promise<WebhookEndpoint[]> {
  return db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function findEndpoint(db: Db, id: string): Promise<WebhookEndpoint | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setEndpointSecret(db: Db, id: string, secret: string): Promise<boolean> {
  const r = await db.updateTable('webhook_endpoints').set({ secret }).where('id', '=', id).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Paused now, unless it was already (true when this call paused it). */
export async function pauseEndpoint(db: Db, id: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('webhook_endpoints')
    .set({ status: 'paused', paused_at: at })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Active again: its waiting deliveries are tried at once and for a new retry window. */
export async function resumeEndpoint(db: Db, id: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('webhook_endpoints')
    .set({ status: 'active', paused_at: null, failing_since: null })
    .where('id', '=', id)
    .where('status', '=', 'paused')
    .executeTakeFirst();
  if (r.numUpdatedRows === 0n) return false;
  await db
    .updateTable('webhook_deliveries')
    .set({ next_attempt_at: at, give_up_at: null })
    .where('endpoint_id', '=', id)
    .where('status', '=', 'pending')
    .execute();
  return true;
}

/** Endpoints that want an event of this type in this space (paused ones keep it for their resume). */
export async function endpointsFor(db: Db, type: string, spaceId: string | null): Promise<string[]> {
  let q = db
    .selectFrom('webhook_endpoints')
    .select('id')
    .where(sql<boolean>`events @> ${JSON.stringify([type])}::jsonb`);
  q = spaceId
    ? q.where((eb) =>
        eb.or([eb('space_ids', 'is', null), sql<boolean>`space_ids @> ${JSON.stringify([spaceId])}::jsonb`]),
      )
    : q.where('space_ids', 'is', null);
  return (await q.execute()).map((r) => r.id);
}

export interface NewEvent {
  type: string;
  orderingKey: string;
  spaceId: string | null;
  payload: Record<string, unknown>;
}

/** The event and one pending delivery per endpoint; returns the deliveries' ids by endpoint. */
export async function insertEventWithDeliveries(
  db: Db,
  event: NewEvent,
  endpointIds: readonly string[],
): Promise<Array<{ endpointId: string; deliveryId: string }>> {
  const row = await db
    .insertInto('webhook_events')
    .values({
      type: event.type,
      ordering_key: event.orderingKey,
      space_id: event.spaceId,
      payload: JSON.stringify(event.payload),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const out: Array<{ endpointId: string; deliveryId: string }> = [];
  for (const endpointId of endpointIds) {
    const d = await db
      .insertInto('webhook_deliveries')
      .values({ endpoint_id: endpointId, event_id: row.id, ordering_key: event.orderingKey })
      .returning('id')
      .executeTakeFirstOrThrow();
    out.push({ endpointId, deliveryId: d.id });
  }
  return out;
}

export interface PendingDelivery {
  id: string;
  orderingKey: string;
  nextAttemptAt: number;
}

/**
 * The deliveries an endpoint may attempt now or later: for each ordering key only the oldest
 * pending one (a later event of the same case waits for it), oldest first.
 */
export async function headDeliveries(db: Db, endpointId: string, limit: number): Promise<PendingDelivery[]> {
  const rows = await db
    .selectFrom('webhook_deliveries')
    .select(['id', 'ordering_key', 'next_attempt_at'])
    .distinctOn('ordering_key')
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .orderBy('ordering_key')
    .orderBy('seq')
    .execute();
  return rows
    .map((r) => ({ id: r.id, orderingKey: r.ordering_key, nextAttemptAt: r.next_attempt_at.getTime() }))
    .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt)
    .slice(0, limit);
}

export interface DeliveryToSend {
  delivery: WebhookDelivery;
  endpoint: WebhookEndpoint;
  event: { id: string; type: string; payload: Record<string, unknown>; created_at: Date };
}

export async function deliveryToSend(db: Db, deliveryId: string): Promise<DeliveryToSend | undefined> {
  const delivery = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('id', '=', deliveryId)
    .executeTakeFirst();
  if (!delivery) return undefined;
  const endpoint = await findEndpoint(db, delivery.endpoint_id);
  const event = await db
    .selectFrom('webhook_events')
    .select(['id', 'type', 'payload', 'created_at'])
    .where('id', '=', delivery.event_id)
    .executeTakeFirst();
  if (!endpoint || !event) return undefined;
  return { delivery, endpoint, event };
}

export interface AttemptRecord {
  at: Date;
  status: number | null;
  durationMs: number;
  ok: boolean;
  error: string | null;
}

/** The attempt and where the delivery stands after it (status, next attempt). */
export async function recordAttempt(
  db: Db,
  deliveryId: string,
  attempt: AttemptRecord,
  outcome: { status: WebhookDeliveryStatus; nextAttemptAt: Date; giveUpAt: Date },
): Promise<void> {
  await db
    .insertInto('webhook_attempts')
    .values({
      delivery_id: deliveryId,
      attempted_at: attempt.at,
      status_code: attempt.status,
      duration_ms: attempt.durationMs,
      ok: attempt.ok,
      error: attempt.error,
    })
    .execute();
  await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      status: outcome.status,
      attempts: eb('attempts', '+', 1),
      next_attempt_at: outcome.nextAttemptAt,
      give_up_at: outcome.giveUpAt,
      delivered_at: outcome.status === 'delivered' ? attempt.at : null,
    }))
    .where('id', '=', deliveryId)
    .execute();
}

/** After an attempt: failing since when (null once one succeeds); returns the endpoint's row. */
export async function markEndpointOutcome(
  db: Db,
  endpointId: string,
  ok: boolean,
  at: Date,
): Promise<WebhookEndpoint | undefined> {
  return db
    .updateTable('webhook_endpoints')
    .set(ok ? { failing_since: null } : { failing_since: sql<Date>`coalesce(failing_since, ${at})` })
    .where('id', '=', endpointId)
    .returningAll()
    .executeTakeFirst();
}

/** Tried again from now, for a new retry window (a delivered one is sent again with the same id). */
export async function replayDelivery(db: Db, endpointId: string, deliveryId: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', next_attempt_at: at, give_up_at: null, delivered_at: null })
    .where('id', '=', deliveryId)
    .where('endpoint_id', '=', endpointId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export interface DeliveryWithAttempts extends WebhookDelivery {
  type: string;
  attemptList: WebhookAttempt[];
}

/** The endpoint's latest deliveries, newest first, each with its attempts (latest first). */
export async function recentDeliveries(db: Db, endpointId: string, limit: number): Promise<DeliveryWithAttempts[]> {
  const deliveries = await db
    .selectFrom('webhook_deliveries')
    .innerJoin('webhook_events', 'webhook_events.id', 'webhook_deliveries.event_id')
    .selectAll('webhook_deliveries')
    .select('webhook_events.type')
    .where('webhook_deliveries.endpoint_id', '=', endpointId)
    .orderBy('webhook_deliveries.seq', 'desc')
    .limit(limit)
    .execute();
  if (deliveries.length === 0) return [];
  const attempts = await db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where(
      'delivery_id',
      'in',
      deliveries.map((d) => d.id),
    )
    .orderBy('attempted_at', 'desc')
    .execute();
  return deliveries.map((d) => ({ ...d, attemptList: attempts.filter((a) => a.delivery_id === d.id) }));
}

/**
 * Deletes an endpoint with its secret; its deliveries and their attempts go with it (cascade).
 * Returns what the audit needs (its host, how many deliveries were still waiting), or undefined
 * when there was no such endpoint.
 */
export async function deleteEndpoint(
  db: Db,
  id: string,
): Promise<{ url: string; pending: number; failed: number } | undefined> {
  const counts = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => [
      eb.fn.countAll<string>().filterWhere('status', '=', 'pending').as('pending'),
      eb.fn.countAll<string>().filterWhere('status', '=', 'failed').as('failed'),
    ])
    .where('endpoint_id', '=', id)
    .executeTakeFirstOrThrow();
  const row = await db.deleteFrom('webhook_endpoints').where('id', '=', id).returning('url').executeTakeFirst();
  if (!row) return undefined;
  return { url: row.url, pending: Number(counts.pending), failed: Number(counts.failed) };
}

/** Every endpoint id (the worker makes sure each has its delivery workflow). */
export async function endpointIds(db: Db): Promise<string[]> {
  return (await db.selectFrom('webhook_endpoints').select('id').execute()).map((r) => r.id);
}

/** The administrators told when an endpoint is paused: e-mail and language. */
export async function administratorsToTell(db: Db): Promise<Array<{ email: string; locale: 'fr' | 'en' }>> {
  return db
    .selectFrom('accounts')
    .select(['email', 'locale'])
    .where('kind', '=', 'staff')
    .where('is_admin', '=', true)
    .where('disabled_at', 'is', null)
    .orderBy('email')
    .execute();
}
