// The end of a request: the satisfaction check told to the client, and the resolution, in Guichet
// and in Redmine (the client told when it was automatic).
import { ApplicationFailure } from '@temporalio/activity';
import { findAccountById } from '../../db/accounts.js';
import { enqueueNotification } from '../../db/notifications.js';
import { markResolvedWithoutClock, markSatisfactionAsked } from '../../db/sla.js';
import { renderTemplate } from '../../db/templates.js';
import { staffNotes } from '../../i18n/notes/index.js';
import type { SlaActivityDeps, SlaHelpers } from './deps.js';
import type { Db } from '../../db/connect.js';
import { conversationKey, emitWebhookEvent } from '../../app/webhooks/emit.js';
import { wakeEndpointsFromActivity } from '../webhooks.js';

export function createResolutionSteps({ db, redmine }: SlaActivityDeps, helpers: SlaHelpers) {
  const { context, mailVars, privateNote } = helpers;
  return {
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
      const told = await db.transaction().execute(async (tx) => {
        await markResolvedWithoutClock(tx, conversation.id);
        // The client's "yes" was told when it was given (app/satisfaction.ts); a retry tells nothing twice.
        return input.automatic && conversation.status !== 'resolved' ? emitResolved(tx, conversation) : [];
      });
      await wakeEndpointsFromActivity(told);
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

/** The automatic resolution as a webhook event; returns the endpoints to wake. */
function emitResolved(tx: Db, conversation: { id: string; space_id: string }) {
  return emitWebhookEvent(tx, undefined, {
    type: 'conversation.resolved',
    orderingKey: conversationKey(conversation.id),
    spaceId: conversation.space_id,
    data: { conversationId: conversation.id, spaceId: conversation.space_id, state: 'resolved', by: 'automatic' },
  });
}
