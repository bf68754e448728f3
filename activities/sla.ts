// The SLA's side effects: deadlines recorded for pages and lists, reminders and escalations by
// e-mail and as private notes, outcomes for metrics, the satisfaction check and auto-resolve.
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../db/connect.js';
import { findAccountById } from '../db/accounts.js';
import { findConversation } from '../db/conversations.js';
import { enqueueNotification } from '../db/notifications.js';
import {
  markResolvedWithoutClock,
  markSatisfactionAsked,
  messageWrittenAt,
  recordSlaOutcomeOnce,
  setSlaDeadlines,
} from '../db/sla.js';
import { findSpace } from '../db/spaces.js';
import { renderTemplate } from '../db/templates.js';
import type { RedmineMirrorContext } from '../connectors/redmine/mirror-context.js';
import { formatDateTime } from '../i18n/index.js';
import { STAFF_NOTES_LOCALE, staffNotes } from '../i18n/notes/index.js';
import type { SlaCalendar } from '../domain/sla-calendar.js';
import { writePrivateNote } from './redmine.js';

export interface SlaActivityDeps {
  db: Db;
  redmine: RedmineMirrorContext | undefined;
  publicUrl: string;
}

export interface SlaPolicy {
  calendar: SlaCalendar;
  targetMs: number;
  maxMs: number;
  satisfactionTimeoutMs: number;
  /** When the client wrote the request that starts a clock (the message's time), if one was named. */
  requestedAt?: string;
}

export type SlaAlertKind = 'reminder' | 'pre-breach' | 'breach';

const HOUR = 3_600_000;

// Long as a whole: a factory of short activities sharing the deps (each under 50 lines).
export function createSlaActivities({ db, redmine, publicUrl }: SlaActivityDeps) {
  async function context(conversationId: string) {
    const conversation = await findConversation(db, conversationId);
    if (!conversation)
      throw ApplicationFailure.retryable(`conversation ${conversationId} is not visible yet`, 'NotYetVisible');
    const space = await findSpace(db, conversation.space_id);
    if (!space) throw new Error(`space ${conversation.space_id} of conversation ${conversationId} not found`);
    return { conversation, space };
  }

  const mailVars = (conversation: { id: string; subject: string }, client: { full_name: string }) => ({
    clientFullName: client.full_name,
    conversationSubject: conversation.subject,
    conversationUrl: `${publicUrl}/conversations/${conversation.id}`,
  });

  async function privateNote(conversationId: string, issueId: number | null, ref: string, text: string): Promise<void> {
    if (!redmine || issueId === null) return;
    await writePrivateNote(db, redmine, { issueId, ref, text, conversationId });
  }

  return {
    /** The space's policy; with a request's message id, also when that message was written, which
     * is when its answer clock starts (not when the workflow got to it: a worker or Redmine outage
     * must not give staff extra time). */
    async loadSlaPolicy(conversationId: string, requestMessageId?: string): Promise<SlaPolicy> {
      const { space } = await context(conversationId);
      const requestedAt = requestMessageId ? await messageWrittenAt(db, requestMessageId, conversationId) : undefined;
      return {
        ...(requestedAt ? { requestedAt: requestedAt.toISOString() } : {}),
        calendar: {
          mode: space.sla_calendar,
          opens: space.sla_opens,
          closes: space.sla_closes,
          workingDays: [1, 2, 3, 4, 5],
          timeZone: 'Europe/Paris',
        },
        targetMs: space.sla_target_hours * HOUR,
        maxMs: space.sla_max_hours * HOUR,
        satisfactionTimeoutMs: space.satisfaction_timeout_hours * HOUR,
      };
    },

    /** What pages and lists show: when the running clock started and its deadlines (or none). */
    async recordSlaDeadlines(input: {
      conversationId: string;
      startedAt: string | null;
      targetAt: string | null;
      maxAt: string | null;
    }): Promise<void> {
      await setSlaDeadlines(db, input.conversationId, input);
    },

    /** One outcome per answered request, whatever the retries. The answer counts from when it was
     * written (a Redmine note's own time), not from when Guichet learned of it; `answeredAt` (the
     * workflow's time) is the bound and the fallback. */
    async recordSlaOutcome(input: {
      conversationId: string;
      requestMessageId: string;
      answerMessageId?: string;
      startedAt: string;
      answeredAt: string;
      targetAt: string;
      maxAt: string;
    }): Promise<void> {
      const { conversation } = await context(input.conversationId);
      const answer = input.answerMessageId
        ? await messageWrittenAt(db, input.answerMessageId, conversation.id)
        : undefined;
      const written = answer?.getTime() ?? Number.NaN;
      const started = Date.parse(input.startedAt);
      const handled = Date.parse(input.answeredAt);
      const answered = Number.isFinite(written) ? Math.min(handled, Math.max(started, written)) : handled;
      const answeredAt = new Date(answered).toISOString();
      const outcome =
        answered <= Date.parse(input.targetAt)
          ? 'within_target'
          : answered <= Date.parse(input.maxAt)
            ? 'within_max'
            : 'breached';
      await recordSlaOutcomeOnce(db, {
        conversationId: conversation.id,
        spaceId: conversation.space_id,
        startedAt: input.startedAt,
        answeredAt,
        targetAt: input.targetAt,
        maxAt: input.maxAt,
        outcome,
        idempotencyKey: `sla:${input.requestMessageId}`,
      });
    },

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

    /** Staff asked whether the answer satisfies the client: tell the client. */
    async askSatisfaction(input: { conversationId: string; ref: string }): Promise<{ notificationId: string }> {
      const { conversation } = await context(input.conversationId);
      const client = await findAccountById(db, conversation.client_account_id);
      if (!client) throw ApplicationFailure.nonRetryable('no client', 'NoClient');
      await markSatisfactionAsked(db, conversation.id);
      const mail = await renderTemplate(db, 'satisfaction-question', client.locale, mailVars(conversation, client));
      const notification = await enqueueNotification(db, {
        idempotencyKey: `satisfaction:${conversation.id}:${input.ref}`,
        recipient: client.email,
        subject: mail.subject,
        bodyText: mail.text,
        conversationId: conversation.id,
      });
      await privateNote(
        conversation.id,
        conversation.redmine_issue_id,
        `satisfaction-${input.ref}`,
        staffNotes().satisfactionAsked,
      );
      return { notificationId: notification.id };
    },

    /** Resolves the conversation, in Guichet and in Redmine; tells the client when it was automatic. */
    async resolveConversation(input: {
      conversationId: string;
      ref: string;
      automatic: boolean;
    }): Promise<{ notificationId?: string }> {
      const { conversation } = await context(input.conversationId);
      await markResolvedWithoutClock(db, conversation.id);
      if (redmine && conversation.redmine_issue_id !== null) {
        const note = input.automatic ? staffNotes().resolvedAutomatically : staffNotes().resolvedByClient;
        await privateNote(conversation.id, conversation.redmine_issue_id, `resolved-${input.ref}`, note);
        if (redmine.resolvedStatusId !== undefined)
          await redmine.client.updateIssue(conversation.redmine_issue_id, { statusId: redmine.resolvedStatusId });
      }
      if (!input.automatic) return {};
      const client = await findAccountById(db, conversation.client_account_id);
      if (!client) return {};
      const mail = await renderTemplate(db, 'auto-resolved', client.locale, mailVars(conversation, client));
      const notification = await enqueueNotification(db, {
        idempotencyKey: `auto-resolved:${conversation.id}:${input.ref}`,
        recipient: client.email,
        subject: mail.subject,
        bodyText: mail.text,
        conversationId: conversation.id,
      });
      return { notificationId: notification.id };
    },
  };
}
