// The retention sweep's steps (workflows/retention.ts): tell the clients whose closed cases'
// documents go within the warning period, then delete what is due. Each step takes a batch, so a
// run's history stays small and a crash repeats at most one batch, harmlessly.
import type { Db } from '../db/connect.js';
import { casesToPurge, casesToWarn, purgeCase } from '../db/retention.js';
import type { FileStorage } from '../app/file-storage.js';
import { warnClientBeforeRetention } from '../app/retention-warning.js';

export interface RetentionActivityDeps {
  db: Db;
  storage: FileStorage;
  publicUrl: string;
}

export function createRetentionActivities({ db, storage, publicUrl }: RetentionActivityDeps) {
  return {
    /** Up to `limit` warnings into the outbox, each case marked told in the same transaction;
     * the notifications to deliver. */
    async warnBeforeRetention(input: { limit: number }): Promise<{ notificationIds: string[]; more: boolean }> {
      const due = await casesToWarn(db, input.limit);
      const notificationIds: string[] = [];
      for (const kase of due) {
        const notificationId = await warnClientBeforeRetention(db, kase, publicUrl);
        if (notificationId) notificationIds.push(notificationId);
      }
      return { notificationIds, more: due.length === input.limit };
    },

    /** Up to `limit` cases whose documents are due: stored files first, then the rows. */
    async purgeExpiredCases(input: { limit: number }): Promise<{ purged: number; more: boolean }> {
      const ids = await casesToPurge(db, input.limit);
      let purged = 0;
      // Files first, rows after: a crash leaves rows whose files are gone (the next run deletes
      // the rows), never files that nothing points at any more.
      for (const id of ids) if (await purgeCase(db, id, (key) => storage.delete(key))) purged++;
      return { purged, more: ids.length === input.limit };
    },
  };
}
