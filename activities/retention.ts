// The retention sweep's steps (workflows/retention.ts): tell the clients whose closed cases'
// documents go within the warning period, then delete what is due. Each step takes a batch, so a
// run's history stays small and a crash repeats at most one batch, harmlessly.
import type { Db } from '../db/connect.js';
import { findAccountById } from '../db/accounts.js';
import { enqueueNotification } from '../db/notifications.js';
import { casesToPurge, casesToWarn, purgeCase } from '../db/retention.js';
import { renderTemplate } from '../db/templates.js';
import type { FileStorage } from '../app/file-storage.js';
import { formatDate } from '../i18n/index.js';

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
        await db.transaction().execute(async (tx) => {
          const client = await findAccountById(tx, kase.client_account_id);
          if (client) {
            const mail = await renderTemplate(tx, 'retention-warning', client.locale, {
              clientFullName: client.full_name,
              caseNumber: kase.number,
              purgeDate: formatDate(kase.purge_at, client.locale),
              caseUrl: `${publicUrl}/dossiers/${kase.id}`,
            });
            // One warning per closing of the case, whatever the retries.
            const key = `retention-warning:${kase.id}:${kase.closed_at!.toISOString()}`;
            const notification = await enqueueNotification(tx, {
              idempotencyKey: key,
              recipient: client.email,
              subject: mail.subject,
              bodyText: mail.text,
            });
            notificationIds.push(notification.id);
          }
          await tx.updateTable('cases').set({ retention_warned_at: new Date() }).where('id', '=', kase.id).execute();
        });
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
