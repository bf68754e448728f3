// Queries of the Idempotency-Key records (integration API): one row per token and key, claimed by
// the first request (the primary key makes concurrent duplicates one execution), completed with
// the response, replayed for 24 hours.
import { sql } from 'kysely';
import type { Db } from './connect.js';

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; contentType: string; body: string }
  | { kind: 'mismatch' }
  | { kind: 'in_progress' };

/** How long a key is remembered. */
export const IDEMPOTENCY_HOURS = 24;

/** Claims the key for this request, or says what the earlier request with it became. */
export async function claimIdempotencyKey(
  db: Db,
  tokenId: string,
  key: string,
  requestHash: string,
): Promise<IdempotencyClaim> {
  // An expired record is forgotten first, so that the key can be used again.
  await db
    .deleteFrom('api_idempotency_keys')
    .where('token_id', '=', tokenId)
    .where('key', '=', key)
    .where(sql<boolean>`created_at < now() - make_interval(hours => ${IDEMPOTENCY_HOURS})`)
    .execute();
  const inserted = await db
    .insertInto('api_idempotency_keys')
    .values({ token_id: tokenId, key, request_hash: requestHash })
    .onConflict((oc) => oc.columns(['token_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (inserted) return { kind: 'claimed' };
  const row = await db
    .selectFrom('api_idempotency_keys')
    .selectAll()
    .where('token_id', '=', tokenId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return { kind: 'in_progress' };
  if (row.request_hash !== requestHash) return { kind: 'mismatch' };
  if (row.status === null) return { kind: 'in_progress' };
  return {
    kind: 'replay',
    status: row.status,
    contentType: row.content_type ?? 'application/json',
    body: row.response_body ?? '',
  };
}

export async function completeIdempotencyKey(
  db: Db,
  tokenId: string,
  key: string,
  response: { status: number; contentType: string; body: string },
): Promise<void> {
  await db
    .updateTable('api_idempotency_keys')
    .set({
      status: response.status,
      content_type: response.contentType,
      response_body: response.body,
      completed_at: new Date(),
    })
    .where('token_id', '=', tokenId)
    .where('key', '=', key)
    .execute();
}

/** A request that failed on the server's side leaves no record: it may be tried again. */
export async function releaseIdempotencyKey(db: Db, tokenId: string, key: string): Promise<void> {
  await db
    .deleteFrom('api_idempotency_keys')
    .where('token_id', '=', tokenId)
    .where('key', '=', key)
    .where('status', 'is', null)
    .execute();
}
