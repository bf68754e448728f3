// One workflow per conversation (id `conversation-<id>`): it reacts to the client's messages and
// to staff answers, and later carries the SLA clock of the conversation.
import {
  ActivityFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, MessageRef } from '../activities/index.js';

export type ConversationEvent =
  | { type: 'clientMessage'; messageId: string }
  | { type: 'staffAnswer'; messageId: string; fromRedmine?: boolean };

export interface ConversationInput {
  conversationId: string;
  /** Carried over continue-as-new. */
  acknowledged?: boolean;
  pending?: ConversationEvent[];
}

export interface ConversationState {
  conversationId: string;
  acknowledged: boolean;
  handledEvents: number;
  pendingEvents: number;
}

export const clientMessageSignal = defineSignal<[{ messageId: string }]>('clientMessage');
/** A staff answer, written in the back-office or mirrored from a Redmine note. */
export const staffAnswerSignal = defineSignal<[{ messageId: string; fromRedmine?: boolean }]>('staffAnswer');
export const conversationStateQuery = defineQuery<ConversationState>('conversationState');

// Database steps: short retries, bounded (a row that never becomes visible was rolled back).
const { acknowledgeRequest, prepareAnswerNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds', maximumAttempts: 20 },
});
// SMTP: patient retries, an outage must not lose a mail.
const { deliverNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});
// Redmine: while it is down, messages wait here and reach it in order when it returns.
const { mirrorClientMessage, mirrorStaffAnswer, writeInternalNote } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2, nonRetryableErrorTypes: ['EmailFieldDropped'] },
});

export function conversationWorkflowId(conversationId: string): string {
  return `conversation-${conversationId}`;
}

export async function conversationWorkflow(input: ConversationInput): Promise<void> {
  const pending: ConversationEvent[] = [...(input.pending ?? [])];
  let acknowledged = input.acknowledged ?? false;
  let handledEvents = 0;

  setHandler(clientMessageSignal, ({ messageId }) => void pending.push({ type: 'clientMessage', messageId }));
  setHandler(staffAnswerSignal, ({ messageId, fromRedmine }) => void pending.push({ type: 'staffAnswer', messageId, fromRedmine }));
  setHandler(conversationStateQuery, () => ({
    conversationId: input.conversationId,
    acknowledged,
    handledEvents,
    pendingEvents: pending.length,
  }));

  for (;;) {
    await condition(() => pending.length > 0 || workflowInfo().continueAsNewSuggested);
    if (workflowInfo().continueAsNewSuggested) {
      // Keep history bounded on long conversations, even under steady traffic; events not yet
      // handled travel with us (the server refuses the move if a signal arrives meanwhile).
      await continueAsNew<typeof conversationWorkflow>({ conversationId: input.conversationId, acknowledged, pending });
      return;
    }
    const event = pending.shift();
    if (!event) continue;
    const ref: MessageRef = { conversationId: input.conversationId, messageId: event.messageId };
    try {
      if (event.type === 'clientMessage') {
        // The request that opens the conversation gets the mandatory acknowledgement.
        const acknowledgeNow = !acknowledged;
        if (acknowledgeNow) {
          const { notificationId } = await acknowledgeRequest(ref);
          acknowledged = true;
          await deliverNotification(notificationId);
        }
        const { mirrored } = await mirrorClientMessage(ref);
        if (mirrored && acknowledgeNow) {
          await writeInternalNote({
            conversationId: input.conversationId,
            ref: `ack-${event.messageId}`,
            text: 'Accusé de réception envoyé au client (dans son espace et par e-mail).',
          });
        }
      } else {
        const { notificationId } = await prepareAnswerNotification(ref);
        await deliverNotification(notificationId);
        if (!event.fromRedmine) await mirrorStaffAnswer(ref);
      }
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('conversation event dropped', { event: event.type, messageId: event.messageId, error: err.cause?.message });
    }
    handledEvents++;
  }
}
