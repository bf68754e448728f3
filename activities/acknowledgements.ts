// The acknowledgement of a client's request as one local activity: its thread message and outbox
// row written, then its e-mail sent, inside the conversation's first workflow task. Before, the
// e-mail was a second activity (a server round trip and one more workflow task per conversation
// start, which is what held conversation starts to a few per second; bench/sla-scale.ts).
import { ApplicationFailure } from '@temporalio/common';
import type { Mailer } from '../connectors/mail/index.js';
import { createConversationActivities, type ConversationActivityDeps, type MessageRef } from './conversations.js';
import { deliverNotification } from './notifications.js';

export interface AcknowledgementActivityDeps extends ConversationActivityDeps {
  /** Sends the acknowledgement (`acknowledgeRequestMail`); the worker always gives it. */
  mailer?: Mailer;
}

export function createAcknowledgementActivities(deps: AcknowledgementActivityDeps) {
  const conversations = createConversationActivities(deps);
  return {
    /**
     * Writes the acknowledgement (once per request: idempotency keys) and sends its e-mail unless
     * it already went or another attempt holds it (the outbox's claim), so that a retried workflow
     * task sends it again only when the mail server took it without our knowing (the attempt died
     * between the mail server's answer and the outbox's update). An address the mail server
     * refuses for good stays failed in the outbox (`refused`) and does not hold the conversation
     * back.
     */
    async acknowledgeRequestMail(ref: MessageRef): Promise<{ notificationId: string; refused: boolean }> {
      const { mailer } = deps;
      if (!mailer) throw ApplicationFailure.nonRetryable('no mailer given to the acknowledgement', 'NoMailer');
      const { notificationId } = await conversations.acknowledgeRequest(ref);
      try {
        await deliverNotification(deps.db, mailer, notificationId);
        return { notificationId, refused: false };
      } catch (err) {
        if (!(err instanceof ApplicationFailure && err.nonRetryable)) throw err;
        return { notificationId, refused: true };
      }
    },
  };
}
