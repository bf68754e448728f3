// The change feed of the integration API (api_changes, written by triggers in the transaction of
// each change). A page holds only rows of transactions that ended before every transaction still
// running began (`txid < pg_snapshot_xmin(pg_current_snapshot())`), in (txid, position) order: a
// transaction still in flight has a larger txid than any row handed out, so a nightly job paging
// with the cursor never misses a change that commits late.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import { whereInScope, type StaffScope } from './staff-access.js';

export interface ChangePosition {
  /** The writing transaction's id (xid8, as decimal text). */
  txid: string;
  position: number;
}

export interface ChangeRow extends ChangePosition {
  kind: 'case' | 'piece' | 'message';
  entityId: string;
  caseId: string | null;
  conversationId: string | null;
  operation: 'insert' | 'update' | 'delete';
  at: Date;
}

export async function listChanges(
  db: Db,
  scope: StaffScope,
  after: ChangePosition | null,
  limit: number,
): Promise<ChangeRow[]> {
  let q = whereInScope(db.selectFrom('api_changes'), 'api_changes.space_id', scope)
    .select([
      sql<string>`txid::text`.as('txid'),
      'position',
      'kind',
      'entity_id',
      'case_id',
      'conversation_id',
      'operation',
      'at',
    ])
    .where(sql<boolean>`txid < pg_snapshot_xmin(pg_current_snapshot())`);
  if (after) {
    q = q.where(sql<boolean>`(txid, position) > (${after.txid}::xid8, ${after.position}::bigint)`);
  }
  const rows = await q
    .orderBy(sql`txid`)
    .orderBy('position')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    txid: r.txid,
    position: Number(r.position),
    kind: r.kind,
    entityId: r.entity_id,
    caseId: r.case_id,
    conversationId: r.conversation_id,
    operation: r.operation,
    at: r.at,
  }));
}
