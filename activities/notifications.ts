import { ApplicationFailure } from '@temporalio/common';
import type { Mailer } from '../connectors/mail/index.js';
import type { Db } from '../db/connect.js';
import { claimNotification, markNotificationAttemptFailed, markNotificationSent } from '../db/notifications.js';
import { getSettings, isHexColor } from '../db/settings.js';
import { mailHtml } from '../domain/mail-html.js';
import { linkColourOnWhite } from '../domain/colour.js';
import { ConnectorError } from '../connectors/errors.js';
import { splitCc } from './conversations.js';

export interface NotificationActivityDeps {
  db: Db;
  mailer: Mailer;
}

/** Sends one outbox row unless it already went; safe to retry. */
/** Longer than one SMTP exchange can last (three 15 s timeouts): a dead attempt frees it then. */
const SENDING_LEASE_MS = 120_000;

export async function deliverNotification(
  db: Db,
  mailer: Mailer,
  notificationId: string,
): Promise<'sent' | 'already-sent'> {
  // Claimed first: two attempts at once (a workflow task retried after a timeout while its first
  // local activity still ran) would otherwise both send.
  const n = await claimNotification(db, notificationId, SENDING_LEASE_MS);
  if (!n) throw ApplicationFailure.retryable(`notification ${notificationId} is not visible yet`, 'NotYetVisible');
  if (n === 'sent') return 'already-sent';
  if (n === 'busy')
    throw ApplicationFailure.retryable(`notification ${notificationId} is being sent by another attempt`, 'Sending');
  const { primaryColor } = await getSettings(db);
  const colour = isHexColor(primaryColor) ? primaryColor : '#0b5cab';
  const headers = n.mail_headers;
  try {
    await mailer.send({
      to: n.recipient,
      cc: splitCc(n.cc),
      subject: n.subject,
      text: n.body_text,
      // Staff answers come with their HTML made (the rendered notes in the layout).
      html: n.body_html ?? mailHtml(n.subject, n.body_text, { colour, linkColour: linkColourOnWhite(colour) }),
      reference: n.idempotency_key,
      ...(headers?.messageId ? { messageId: headers.messageId } : {}),
      ...(headers?.inReplyTo ? { inReplyTo: headers.inReplyTo } : {}),
      ...(headers?.references ? { references: headers.references } : {}),
      ...(headers?.listUnsubscribe ? { unsubscribeUrl: headers.listUnsubscribe } : {}),
    });
  } catch (err) {
    await markNotificationAttemptFailed(db, n.id, err instanceof Error ? err.message : String(err));
    if (err instanceof ConnectorError && !err.transient && err.code !== 'unavailable') {
      // A refused address will not be accepted on the next try either.
      throw ApplicationFailure.nonRetryable(err.message, `smtp.${err.code}`);
    }
    throw err;
  }
  // The outbox page is how a development set-up reads its mail: keep the body there.
  await markNotificationSent(db, n.id, n.sensitive && mailer.delivers);
  return 'sent';
}

export function createNotificationActivities({ db, mailer }: NotificationActivityDeps) {
  return {
    deliverNotification: (notificationId: string) => deliverNotification(db, mailer, notificationId),
  };
}
