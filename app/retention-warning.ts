// The warning a client gets before the documents of a closed case are deleted: the mail into the
// outbox and the case marked told, in one transaction (a retry neither sends twice nor skips).
import type { Db } from '../db/connect.js';
import type { Case } from '../db/database.js';
import { findAccountById } from '../db/accounts.js';
import { enqueueNotification } from '../db/notifications.js';
import { markRetentionWarned } from '../db/retention.js';
import { renderTemplate } from '../db/templates.js';
import { formatDate } from '../i18n/index.js';

/** Tells the case's client (if any) when its documents go; the notification to deliver, if one. */
export async function warnClientBeforeRetention(
  db: Db,
  kase: Case & { purge_at: Date },
  publicUrl: string,
): Promise<string | undefined> {
  return db.transaction().execute(async (tx) => {
    let notificationId: string | undefined;
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
      notificationId = notification.id;
    }
    await markRetentionWarned(tx, kase.id);
    return notificationId;
  });
}
