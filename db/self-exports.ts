// Queries of the exports clients ask for from their space (table self_exports, migration 024):
// one row per ask, ready once its archive is stored, deleted at expiry or by an erasure.
import type { Db } from './connect.js';
import type { SelfExport } from './database.js';

export async function insertSelfExport(db: Db, accountId: string, ip: string | null): Promise<SelfExport> {
  return db.insertInto('self_exports').values({ account_id: accountId, ip }).returningAll().executeTakeFirstOrThrow();
}

export async function findSelfExport(db: Db, id: string): Promise<SelfExport | undefined> {
  return db.selectFrom('self_exports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The export if it is this client's (another client's id is as unknown as a made-up one). */
export async function findClientSelfExport(db: Db, accountId: string, id: string): Promise<SelfExport | undefined> {
  return db
    .selectFrom('self_exports')
    .selectAll()
    .where('id', '=', id)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

/** The client's latest export still kept (building or ready), if any. */
export async function latestSelfExport(db: Db, accountId: string): Promise<SelfExport | undefined> {
  return db
    .selectFrom('self_exports')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Marks a building export ready; false when there is no such row any more (erased meanwhile). */
export async function markSelfExportReady(
  db: Db,
  id: string,
  archive: { storageKey: string; sizeBytes: number; sha256: string; readyAt: Date; expiresAt: Date },
): Promise<boolean> {
  const result = await db
    .updateTable('self_exports')
    .set({
      status: 'ready',
      storage_key: archive.storageKey,
      size_bytes: archive.sizeBytes,
      sha256: archive.sha256,
      ready_at: archive.readyAt,
      expires_at: archive.expiresAt,
    })
    .where('id', '=', id)
    .where('status', '=', 'building')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Deletes the row; its storage key (the caller deletes the archive), or undefined if it was gone. */
export async function deleteSelfExport(db: Db, id: string): Promise<{ storageKey: string | null } | undefined> {
  const row = await db.deleteFrom('self_exports').where('id', '=', id).returning(['storage_key']).executeTakeFirst();
  return row ? { storageKey: row.storage_key } : undefined;
}

/** Deletes every export of the person (an erasure); the storage keys of their archives. */
export async function deleteSelfExportsOf(db: Db, accountId: string): Promise<string[]> {
  const rows = await db
    .deleteFrom('self_exports')
    .where('account_id', '=', accountId)
    .returning(['storage_key'])
    .execute();
  return rows.flatMap((r) => (r.storage_key ? [r.storage_key] : []));
}
