// The SLA's alerts: a reminder to the assignee (else the team) before the target, and to the
// manager before and at the breach, by e-mail and as a private note.
//
// A reminder costs one timer and one local activity (`slaAlertMail`: the outbox rows written and
// sent within the workflow task that the timer woke), plus, only when the conversation has a
// Redmine issue, one activity for the private note (`slaAlertNote`), which never holds the mail
// back. `slaAlert` (rows and note, the workflow delivering afterwards) is the earlier form, kept
// for the histories that scheduled it (workflows/conversation.ts, patch `sla-alert-local-mail`).
import { ApplicationFailure } from '@temporalio/activity';
import { enqueueNotification } from '../../db/notifications.js';
import { formatDateTime } from '../../i18n/index.js';
import { STAFF_NOTES_LOCALE, staffNotes } from '../../i18n/notes/index.js';
import { deliverNotification } from '../notifications.js';
import type { SlaActivityDeps, SlaAlertKind, SlaHelpers } from './deps.js';

export interface SlaAlertInput {
  conversationId: string;
  kind: SlaAlertKind;
  clockId: string;
  targetAt: string;
  maxAt: string;
}

export function createAlertSteps({ db, publicUrl, mailer }: SlaActivityDeps, { context, privateNote }: SlaHelpers) {
  /** Who is told, and what: the same text for the e-mail and the private note. */
  async function alertOf(input: SlaAlertInput) {
    const { conversation, space } = await context(input.conversationId);
    const t = staffNotes();
    const recipients =
      input.kind === 'reminder'
        ? [conversation.assignee_email ?? space.team_email].filter((e): e is string => !!e)
        : [space.manager_email ?? space.team_email].filter((e): e is string => !!e);
    const due = formatDateTime(new Date(input.kind === 'reminder' ? input.targetAt : input.maxAt), STAFF_NOTES_LOCALE);
    const text = t.slaAlert(
      input.kind,
      conversation.subject,
      due,
      `${publicUrl}/back-office/conversations/${conversation.id}`,
    );
    return { conversation, recipients, text, subject: t.slaAlertSubject(input.kind, conversation.subject) };
  }

  /** The outbox rows, one per recipient, keyed so that a retry writes none twice. */
  async function enqueueAlert(input: SlaAlertInput, alert: Awaited<ReturnType<typeof alertOf>>) {
    const notified: string[] = [];
    for (const recipient of alert.recipients) {
      const notification = await enqueueNotification(db, {
        idempotencyKey: `sla-${input.kind}:${alert.conversation.id}:${input.clockId}:${recipient}`,
        recipient,
        subject: alert.subject,
        bodyText: alert.text,
        conversationId: alert.conversation.id,
      });
      notified.push(notification.id);
    }
    return notified;
  }

  const noteRef = (input: SlaAlertInput) => `sla-${input.kind}-${input.clockId}`;

  return {
    /** Reminds the assignee (else the team) before the target; alerts the manager before and at the breach. */
    async slaAlert(input: SlaAlertInput): Promise<{ notified: string[] }> {
      const alert = await alertOf(input);
      const notified = await enqueueAlert(input, alert);
      await privateNote(alert.conversation.id, alert.conversation.redmine_issue_id, noteRef(input), alert.text);
      // The workflow delivers them, with the outbox's patient retries.
      return { notified };
    },

    /** The alert's e-mails, written to the outbox and sent, in one step: a retry finds the rows
     * (idempotency keys) and sends only those not sent yet (the outbox's status). An address the
     * mail server refuses for good stays failed in the outbox and does not hold the others back.
     * Says whether a private note is to be written (a Redmine issue to write it on). */
    async slaAlertMail(input: SlaAlertInput): Promise<{ notified: string[]; refused: number; note: boolean }> {
      if (!mailer) throw ApplicationFailure.nonRetryable('no mailer given to the SLA activities', 'NoMailer');
      const alert = await alertOf(input);
      const notified = await enqueueAlert(input, alert);
      let refused = 0;
      for (const id of notified) {
        try {
          await deliverNotification(db, mailer, id);
        } catch (err) {
          if (!(err instanceof ApplicationFailure && err.nonRetryable)) throw err;
          refused++;
        }
      }
      return { notified, refused, note: alert.conversation.redmine_issue_id !== null };
    },

    /** The alert as a private note on the conversation's Redmine issue (once: the note's ref). */
    async slaAlertNote(input: SlaAlertInput): Promise<void> {
      const alert = await alertOf(input);
      await privateNote(alert.conversation.id, alert.conversation.redmine_issue_id, noteRef(input), alert.text);
    },
  };
}
