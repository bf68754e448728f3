// Personal data kept only as long as needed (product.md, "Beyond the seeds"). A space may keep the
// documents of a closed case for a number of months. A month before they go, the client is told
// (and may download them); then the documents, the files staff put in the case and the client's
// comments are deleted, files first, and the case keeps its number, title and state with the date
// of the deletion. Dates are the database's.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { Case } from './database.js';
import { audit } from './audit.js';

/** How long before the deletion the client is told. */
export const RETENTION_WARNING_DAYS = 30;

/** Closed cases whose documents go within the warning period and whose client was not told yet
 * (closing a case clears the warning, so each closing gets its own), with the date they will go. */
export async function casesToWarn(db: Db, limit: number): Promise<Array<Case & { purge_at: Date }>> {
  return db
    .selectFrom('cases')
    .innerJoin('spaces', 'spaces.id', 'cases.space_id')
    .selectAll('cases')
    .select(
      sql<Date>`greatest(cases.closed_at + make_interval(months => spaces.retention_months), now() + make_interval(days => ${RETENTION_WARNING_DAYS}))`.as(
        'purge_at',
      ),
    )
    .where('cases.status', '=', 'closed')
    .where('cases.purged_at', 'is', null)
    .where('cases.retention_warned_at', 'is', null)
    .where('spaces.retention_months', 'is not', null)
    .where(
      sql<boolean>`cases.closed_at + make_interval(months => spaces.retention_months) - make_interval(days => ${RETENTION_WARNING_DAYS}) <= now()`,
    )
    .orderBy('cases.closed_at')
    .limit(limit)
    .execute();
}

/** The condition for a case's documents to go now: closed, the period over, the client told at
 * least the warning period ago. */
const purgeDue = sql<boolean>`cases.status = 'closed' and cases.purged_at is null and spaces.retention_months is not null
  and cases.closed_at + make_interval(months => spaces.retention_months) <= now()
  and cases.retention_warned_at + make_interval(days => ${RETENTION_WARNING_DAYS}) <= now()`;

export async function casesToPurge(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('cases')
    .innerJoin('spaces', 'spaces.id', 'cases.space_id')
    .select('cases.id')
    .where(purgeDue)
    .orderBy('cases.closed_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Deletes a due case's stored files (`deleteFile`), then its documents, files and comments, and
 * marks it purged, audited with what went; all under the case's row lock, so a case that stops
 * being due meanwhile keeps everything. Undefined when it is not due. A failure after some files
 * went leaves the rows, still due, for the next run (deleting a missing file is no error). */
export async function purgeCase(
  db: Db,
  caseId: string,
  deleteFile: (storageKey: string) => Promise<void>,
): Promise<{ documents: number; files: number; comments: number } | undefined> {
  return db.transaction().execute(async (tx) => {
    const due = await tx
      .selectFrom('cases')
      .innerJoin('spaces', 'spaces.id', 'cases.space_id')
      .select(['cases.id', 'spaces.retention_months'])
      .where('cases.id', '=', caseId)
      .where(purgeDue)
      .forUpdate('cases')
      .executeTakeFirst();
    if (!due) return undefined;
    const [documentKeys, fileKeys] = await Promise.all([
      tx.selectFrom('documents').select('storage_key').where('case_id', '=', caseId).execute(),
      tx.selectFrom('case_files').select('storage_key').where('case_id', '=', caseId).execute(),
    ]);
    for (const { storage_key } of [...documentKeys, ...fileKeys]) await deleteFile(storage_key);
    const documents = await tx.deleteFrom('documents').where('case_id', '=', caseId).executeTakeFirst();
    const files = await tx.deleteFrom('case_files').where('case_id', '=', caseId).executeTakeFirst();
    const comments = await tx.deleteFrom('case_comments').where('case_id', '=', caseId).executeTakeFirst();
    const counts = {
      documents: Number(documents.numDeletedRows),
      files: Number(files.numDeletedRows),
      comments: Number(comments.numDeletedRows),
    };
    await tx
      .updateTable('cases')
      .set({ purged_at: sql<Date>`now()` })
      .where('id', '=', caseId)
      .execute();
    await audit(tx, {
      actorAccountId: null,
      actorKind: 'system',
      action: 'case.purge',
      subjectType: 'case',
      subjectId: caseId,
      details: { ...counts, retentionMonths: due.retention_months },
    });
    return counts;
  });
}

/** When a case's documents will go, for its pages: the same date as the warning e-mail (the end
 * of the period, but never less than the warning period after the client was, or will be, told);
 * null when the space keeps them or the case is not closed. */
export async function plannedPurge(db: Db, kase: Case): Promise<Date | null> {
  if (kase.status !== 'closed' || !kase.closed_at || kase.purged_at) return null;
  const row = await db
    .selectFrom('spaces')
    .select(
      sql<Date | null>`case when retention_months is null then null else greatest(
        ${kase.closed_at}::timestamptz + make_interval(months => retention_months),
        coalesce(${kase.retention_warned_at}::timestamptz, now()) + make_interval(days => ${RETENTION_WARNING_DAYS})) end`.as(
        'at',
      ),
    )
    .where('id', '=', kase.space_id)
    .executeTakeFirst();
  return row?.at ?? null;
}

/** The client was told (or has no account to tell): not again for this closing. */
export async function markRetentionWarned(db: Db, caseId: string): Promise<void> {
  await db.updateTable('cases').set({ retention_warned_at: new Date() }).where('id', '=', caseId).execute();
}
