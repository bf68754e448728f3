// The SLA's alerts: a reminder to the assignee (else the team) before the target, and to the
// manager before and at the breach, by e-mail and as a private note.
import { enqueueNotification } from '../../db/notifications.js';
import { formatDateTime } from '../../i18n/index.js';
import { STAFF_NOTES_LOCALE, staffNotes } from '../../i18n/notes/index.js';
import type { SlaActivityDeps, SlaAlertKind, SlaHelpers } from './deps.js';

export function createAlertSteps({ db, publicUrl }: SlaActivityDeps, { context, privateNote }: SlaHelpers) {
  return {
    /** Reminds the assignee (else the team) before the target; alerts the manager before and at the breach. */
    async slaAlert(input: {
      conversationId: string;
      kind: SlaAlertKind;
      clockId: string;
      targetAt: string;
      maxAt: string;
    }): Promise<{ notified: string[] }> {
      const { conversation, space } = await context(input.conversationId);
      const t = staffNotes();
      const recipients =
        input.kind === 'reminder'
          ? [conversation.assignee_email ?? space.team_email].filter((e): e is string => !!e)
          : [space.manager_email ?? space.team_email].filter((e): e is string => !!e);
      const due = formatDateTime(
        new Date(input.kind === 'reminder' ? input.targetAt : input.maxAt),
        STAFF_NOTES_LOCALE,
      );
      const notified: string[] = [];
      const text = t.slaAlert(
        input.kind,
        conversation.subject,
        due,
        `${publicUrl}/back-office/conversations/${conversation.id}`,
      );
      for (const recipient of recipients) {
        const notification = await enqueueNotification(db, {
          idempotencyKey: `sla-${input.kind}:${conversation.id}:${input.clockId}:${recipient}`,
          recipient,
          subject: t.slaAlertSubject(input.kind, conversation.subject),
          bodyText: text,
          conversationId: conversation.id,
        });
        notified.push(notification.id);
      }
      await privateNote(conversation.id, conversation.redmine_issue_id, `sla-${input.kind}-${input.clockId}`, text);
      // The workflow delivers them, with the outbox's patient retries.
      return { notified };
    },
  };
}
