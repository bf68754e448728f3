// Queries of the purge schedule (workflows/data-purge.ts): rows that only grow, deleted by age in
// bounded batches (a `limit`ed subquery picks the rows, the delete takes those only), so that no
// statement holds locks on a large table for long and a retried batch deletes nothing twice.
// Each function returns how many rows it deleted; fewer than `limit` means nothing is left.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import { IDEMPOTENCY_HOURS } from './api-idempotency.js';
import { inTransaction } from './connect.js';
import {
  DELIVERED_WEBHOOK_DAYS,
  UNUSED_UNSUBSCRIBE_DAYS,
  USED_UNSUBSCRIBE_DAYS,
  type PurgeKind,
} from '../domain/purges.js';

export interface PurgeOptions {
  /** Days the change feed keeps (API_CHANGES_RETENTION_DAYS). */
  apiChangesRetentionDays: number;
}

/** Idempotency-Key records past their 24 hours (claimed and never answered ones too). */
export async function purgeIdempotencyKeys(db: Db, limit: number): Promise<number> {
  const r = await sql`
    delete from api_idempotency_keys
    where (token_id, key) in (
      select token_id, key from api_idempotency_keys
      where created_at < now() - make_interval(hours => ${IDEMPOTENCY_HOURS})
      order by created_at
      limit ${limit}
    )`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * Changes older than the retention, oldest in feed order first. The highest position deleted is
 * kept in the same transaction (purge_horizons): a cursor at or below it may have missed rows.
 */
export async function purgeApiChanges(db: Db, retentionDays: number, limit: number): Promise<number> {
  return inTransaction(db, async (tx) => {
    const r = await sql<{ txid: string; position: string }>`
      delete from api_changes
      where position in (
        select position from api_changes
        where at < now() - make_interval(days => ${retentionDays})
        order by txid, position
        limit ${limit}
      )
      returning txid::text as txid, position`.execute(tx);
    if (r.rows.length === 0) return 0;
    let top = r.rows[0]!;
    for (const row of r.rows) if (afterPosition(row, top)) top = row;
    await sql`
      insert into purge_horizons (name, txid, position, purged_at)
      values ('api_changes', ${top.txid}::xid8, ${top.position}::bigint, now())
      on conflict (name) do update set
        txid = case when (excluded.txid, excluded.position) > (purge_horizons.txid, purge_horizons.position)
          then excluded.txid else purge_horizons.txid end,
        position = case when (excluded.txid, excluded.position) > (purge_horizons.txid, purge_horizons.position)
          then excluded.position else purge_horizons.position end,
        purged_at = now()`.execute(tx);
    return r.rows.length;
  });
}

function afterPosition(a: { txid: string; position: string }, b: { txid: string; position: string }): boolean {
  const ta = BigInt(a.txid);
  const tb = BigInt(b.txid);
  return ta !== tb ? ta > tb : BigInt(a.position) > BigInt(b.position);
}

/** Whether a change-feed position is at or below where the purge cut: rows after it may be gone. */
export async function changeCursorExpired(db: Db, cursor: { txid: string; position: number }): Promise<boolean> {
  const r = await sql<{ expired: boolean }>`
    select (${cursor.txid}::xid8, ${cursor.position}::bigint) < (txid, position) as expired
    from purge_horizons where name = 'api_changes'`.execute(db);
  return r.rows[0]?.expired ?? false;
}

/** Unsubscribe links used a while ago, or never used and old. */
export async function purgeUnsubscribeTokens(db: Db, limit: number): Promise<number> {
  const r = await sql`
    delete from notification_unsubscribe_tokens
    where token_hash in (
      select token_hash from notification_unsubscribe_tokens
      where used_at < now() - make_interval(days => ${USED_UNSUBSCRIBE_DAYS})
         or created_at < now() - make_interval(days => ${UNUSED_UNSUBSCRIBE_DAYS})
      limit ${limit}
    )`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Phone confirmation codes past their expiry (the code is refused from then on anyway). */
export async function purgePhoneConfirmations(db: Db, limit: number): Promise<number> {
  const r = await sql`
    delete from phone_confirmations
    where account_id in (
      select account_id from phone_confirmations where expires_at < now() limit ${limit}
    )`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * Deliveries delivered more than 30 days ago, with their attempts (cascade). Pending and failed
 * ones stay: a failed one is kept until an administrator replays it (it is then delivered and
 * ages from then) or deletes its endpoint.
 */
export async function purgeDeliveredWebhooks(db: Db, limit: number): Promise<number> {
  const r = await sql`
    delete from webhook_deliveries
    where id in (
      select id from webhook_deliveries
      where status = 'delivered' and delivered_at < now() - make_interval(days => ${DELIVERED_WEBHOOK_DAYS})
      order by delivered_at
      limit ${limit}
    )`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * Events no delivery refers to any more (all purged, or their endpoints deleted), once older
 * than a day: an event and its deliveries are written in one transaction, so an event without
 * any is never needed again; the day only keeps well clear of a transaction still writing.
 */
export async function purgeOrphanWebhookEvents(db: Db, limit: number): Promise<number> {
  const r = await sql`
    delete from webhook_events
    where id in (
      select e.id from webhook_events e
      where e.created_at < now() - interval '1 day'
        and not exists (select 1 from webhook_deliveries d where d.event_id = e.id)
      order by e.created_at
      limit ${limit}
    )`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** One batch of one kind; returns how many rows went. */
export function purgeBatch(db: Db, kind: PurgeKind, options: PurgeOptions, limit: number): Promise<number> {
  switch (kind) {
    case 'idempotencyKeys':
      return purgeIdempotencyKeys(db, limit);
    case 'apiChanges':
      return purgeApiChanges(db, options.apiChangesRetentionDays, limit);
    case 'unsubscribeTokens':
      return purgeUnsubscribeTokens(db, limit);
    case 'phoneConfirmations':
      return purgePhoneConfirmations(db, limit);
    case 'webhookDeliveries':
      return purgeDeliveredWebhooks(db, limit);
    case 'webhookEvents':
      return purgeOrphanWebhookEvents(db, limit);
  }
}
