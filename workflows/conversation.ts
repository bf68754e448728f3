// One workflow per conversation (id `conversation-<id>`): it reacts to the client's messages and
// to staff answers, and later carries the SLA clock of the conversation.
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, MessageRef } from '../activities/index.js';
import { SLA_ALERTS, alertAt, shownDeadlines, startRequestClock, type SlaClock } from '../domain/sla-clock.js';

export type ConversationEvent =
  | { type: 'clientMessage'; messageId: string }
  | { type: 'staffAnswer'; messageId: string; fromRedmine?: boolean }
  | { type: 'askSatisfaction'; ref: string }
  | { type: 'satisfactionAnswer'; ref: string; resolved: boolean };

export interface ConversationInput {
  conversationId: string;
  /** Carried over continue-as-new. */
  acknowledged?: boolean;
  pending?: ConversationEvent[];
  clock?: SlaClock | null;
  satisfaction?: { ref: string; deadline: number } | null;
  handledEvents?: number;
}

export interface ConversationState {
  conversationId: string;
  acknowledged: boolean;
  handledEvents: number;
  pendingEvents: number;
  clock: SlaClock | null;
  satisfactionDeadline: number | null;
}

export const clientMessageSignal = defineSignal<[{ messageId: string }]>('clientMessage');
/** A staff answer, written in the back-office or mirrored from a Redmine note. */
export const staffAnswerSignal = defineSignal<[{ messageId: string; fromRedmine?: boolean }]>('staffAnswer');
/** Staff ask whether the answer satisfies the client (back-office action or Redmine status). */
export const askSatisfactionSignal = defineSignal<[{ ref: string }]>('askSatisfaction');
/** The client's answer to that question. */
export const satisfactionAnswerSignal = defineSignal<[{ ref: string; resolved: boolean }]>('satisfactionAnswer');
export const conversationStateQuery = defineQuery<ConversationState>('conversationState');

// Database steps: short retries, bounded (a row that never becomes visible was rolled back).
// Local activities: they run in the worker inside the workflow task, with no round trip to the
// server per step, which is what lets thousands of conversations start quickly (bench/sla-scale).
const { acknowledgeRequest, loadSlaPolicy, recordSlaDeadlines, recordSlaOutcome, needsMirror } =
  proxyLocalActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds', maximumAttempts: 20 },
    // Longer waits between attempts become durable timers rather than sleeps in the worker.
    localRetryThreshold: '2 seconds',
  });
// A client's request opened in one step: its clock, its acknowledgement (the opening one) and
// whether it goes to Redmine (activities/request-opening.ts). Quick first retries for a row not
// yet visible; the mail server's patience after that (an outage must not lose the
// acknowledgement); a row still unseen after some 8 minutes fails for good (the step says so).
const { openRequest } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
  localRetryThreshold: '2 seconds',
});
// An SLA alert's e-mails, written and sent within the workflow task its timer woke (one timer and
// one local activity per reminder), and the acknowledgement as histories from before the one-step
// opening replay it; SMTP's patient retries, the longer waits as durable timers.
const { slaAlertMail, acknowledgeRequestMail } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
  localRetryThreshold: '2 seconds',
});
// SMTP: patient retries, an outage must not lose a mail.
const { deliverNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});
// Temporal itself (a signal-with-start of the client's notifier): retried until it answers.
const { queueAnswerNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});
// Redmine: while it is down, messages wait here and reach it in order when it returns.
const { mirrorStaffAnswer, writeInternalNote, slaAlert, slaAlertNote, askSatisfaction, resolveConversation } =
  proxyActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: '1 second',
      maximumInterval: '1 minute',
      backoffCoefficient: 2,
      nonRetryableErrorTypes: ['EmailFieldDropped'],
    },
  });

// A client message may carry five 10 MB files to upload over a slow link.
// It heartbeats while it runs (activities/heartbeat.ts): a worker that dies mid-way hands it to
// another within the heartbeat timeout rather than the ten minutes.
const { mirrorClientMessage, mirrorClientMessages } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    backoffCoefficient: 2,
    nonRetryableErrorTypes: ['EmailFieldDropped'],
  },
});

/** At most this many client messages waiting together go to Redmine in one step (one PUT each,
 * one read of the journals for the batch); a larger backlog goes in several steps, in order. */
export const CLIENT_MESSAGE_BATCH = 50;

/** A step that failed for good. A local activity's failure arrives unwrapped, as the activity's
 * own ApplicationFailure, where a remote one arrives as an ActivityFailure. */
function stepFailed(err: unknown): err is ActivityFailure | ApplicationFailure {
  return err instanceof ActivityFailure || err instanceof ApplicationFailure;
}

export function conversationWorkflowId(conversationId: string): string {
  return `conversation-${conversationId}`;
}

/** The recorded patch under which an alert is one local activity (mail) and, with a Redmine
 * issue, one activity (note); histories from before it replay the earlier three steps. */
const SLA_ALERT_PATCH = 'sla-alert-local-mail';

/** The recorded patch under which a request's acknowledgement (message, outbox row, e-mail) is one
 * local activity: a conversation starts in one workflow task, with no activity task and no second
 * workflow task. Histories from before it replay the local step and the mail's activity. */
const ACK_PATCH = 'acknowledgement-local-mail';

/** The recorded patch under which the acknowledgement goes into the description of the issue the
 * opening message creates, instead of a private note after it (issue #18). */
const ACK_IN_DESCRIPTION_PATCH = 'ack-in-issue-description';

/** The recorded patch under which a client's request is opened in one local activity (clock,
 * acknowledgement, mirror's question: `openRequest`) instead of four in a row, each an activation
 * of its own (issue #18). Histories from before it replay the four steps. */
const OPENING_PATCH = 'request-opening-one-step';

/** A conversation moves to a new run (continue-as-new) past this many history events, so that a
 * wake-up after eviction replays a short history. */
const HISTORY_LIMIT = 1000;

// Long as a whole: a workflow's state lives in its closure; its handlers are short functions inside.
export async function conversationWorkflow(input: ConversationInput): Promise<void> {
  const conversationId = input.conversationId;
  const pending: ConversationEvent[] = [...(input.pending ?? [])];
  let acknowledged = input.acknowledged ?? false;
  let clock: SlaClock | null = input.clock ?? null;
  let satisfaction = input.satisfaction ?? null;
  let handledEvents = input.handledEvents ?? 0;

  setHandler(clientMessageSignal, ({ messageId }) => void pending.push({ type: 'clientMessage', messageId }));
  setHandler(
    staffAnswerSignal,
    ({ messageId, fromRedmine }) => void pending.push({ type: 'staffAnswer', messageId, fromRedmine }),
  );
  setHandler(askSatisfactionSignal, ({ ref }) => void pending.push({ type: 'askSatisfaction', ref }));
  setHandler(
    satisfactionAnswerSignal,
    ({ ref, resolved }) => void pending.push({ type: 'satisfactionAnswer', ref, resolved }),
  );
  setHandler(conversationStateQuery, () => ({
    conversationId,
    acknowledged,
    handledEvents,
    pendingEvents: pending.length,
    clock,
    satisfactionDeadline: satisfaction?.deadline ?? null,
  }));

  const iso = (ms: number) => new Date(ms).toISOString();
  const showDeadlines = (c: SlaClock | null) => recordSlaDeadlines({ conversationId, ...shownDeadlines(c) });

  // Runs from before the history limit replay as they ran: only the server's suggestion moved them.
  const boundedHistory = patched('conversation-history-limit');
  const historyFull = () =>
    workflowInfo().continueAsNewSuggested || (boundedHistory && workflowInfo().historyLength >= HISTORY_LIMIT);

  function nextDeadline(): number | undefined {
    const times: number[] = [];
    if (clock) for (const [kind] of SLA_ALERTS) if (!clock.sent.includes(kind)) times.push(alertAt(clock, kind));
    if (satisfaction) times.push(satisfaction.deadline);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  async function fireDueDeadlines(): Promise<void> {
    const now = Date.now();
    if (clock) {
      for (const [kind] of SLA_ALERTS) {
        if (clock.sent.includes(kind) || alertAt(clock, kind) > now) continue;
        const alert = {
          conversationId,
          kind,
          clockId: clock.requestId,
          targetAt: iso(clock.targetAt),
          maxAt: iso(clock.maxAt),
        };
        if (patched(SLA_ALERT_PATCH)) {
          // Counted as sent first: a step that fails for good is logged once, not fired again
          // and again by the loop.
          clock.sent.push(kind);
          const { note } = await slaAlertMail(alert);
          if (note) await slaAlertNote(alert);
        } else {
          const { notified } = await slaAlert(alert);
          clock.sent.push(kind);
          for (const id of notified) await deliverNotification(id);
        }
      }
    }
    if (satisfaction && satisfaction.deadline <= now) {
      // No answer to the question within the delay: resolved, in Guichet and Redmine, client told.
      const ref = satisfaction.ref;
      satisfaction = null;
      const { notificationId } = await resolveConversation({ conversationId, ref, automatic: true });
      if (notificationId) await deliverNotification(notificationId);
    }
  }

  /** A clock for a client's request starts when the client wrote it (`messageId`), one for a
   * "no, I still need help" when it is handled. Never in the future (clocks may differ a little). */
  async function startAnswerClock(requestId: string, messageId?: string): Promise<void> {
    const policy = await loadSlaPolicy(conversationId, messageId);
    clock = startRequestClock(requestId, Date.now(), policy);
    await showDeadlines(clock);
  }

  /**
   * Mirrors a client message together with the client messages queued right behind it (after
   * an outage, or while Redmine is slow): one step for them all, in order. Only messages that
   * come next in the queue join, so a staff answer or any other event between them keeps its
   * place; a message that joins needs nothing else (its clock runs from the first message, and
   * the acknowledgement goes with the opening one only). Histories written before batches keep
   * their one step per message.
   */
  async function mirrorWaitingClientMessages(
    ref: MessageRef,
  ): Promise<{ mirrored: boolean; acknowledgedInIssue?: boolean }> {
    if (!patched('client-message-batches')) return mirrorClientMessage(ref);
    const refs = [ref];
    while (refs.length < CLIENT_MESSAGE_BATCH && pending[0]?.type === 'clientMessage') {
      const next = pending.shift() as { type: 'clientMessage'; messageId: string };
      // The same message signalled twice (a retried request) goes once.
      if (!refs.some((r) => r.messageId === next.messageId)) refs.push({ conversationId, messageId: next.messageId });
      handledEvents++;
    }
    return mirrorClientMessages(refs);
  }

  async function handle(event: ConversationEvent): Promise<void> {
    switch (event.type) {
      case 'clientMessage': {
        const ref: MessageRef = { conversationId, messageId: event.messageId };
        // A message after an answer (or instead of answering the satisfaction question) is a
        // new request: a new answer clock, started first since it dates the request.
        satisfaction = null;
        // The request that opens the conversation gets the mandatory acknowledgement.
        const acknowledgeNow = !acknowledged;
        let toRedmine: boolean;
        if (patched(OPENING_PATCH)) {
          const opened = await openRequest(ref, { clockNow: clock ? null : Date.now(), acknowledge: acknowledgeNow });
          if (opened.clock) clock = opened.clock;
          if (acknowledgeNow) acknowledged = true;
          // Stays failed in the outbox (seen on its page); the request still goes to Redmine.
          if (opened.acknowledgement?.refused)
            log.warn('acknowledgement refused by the mail server', { conversationId });
          toRedmine = opened.needsMirror;
        } else {
          if (!clock) await startAnswerClock(event.messageId, event.messageId);
          if (acknowledgeNow) {
            if (patched(ACK_PATCH)) {
              const { refused } = await acknowledgeRequestMail(ref);
              acknowledged = true;
              if (refused) log.warn('acknowledgement refused by the mail server', { conversationId });
            } else {
              const { notificationId } = await acknowledgeRequest(ref);
              acknowledged = true;
              await deliverNotification(notificationId);
            }
          }
          toRedmine = await needsMirror(ref);
        }
        const { mirrored, acknowledgedInIssue } = toRedmine
          ? await mirrorWaitingClientMessages(ref)
          : { mirrored: false, acknowledgedInIssue: false };
        // An issue created with the acknowledgement in its description needs no note of it.
        // Histories from before that replay their note (the marker is recorded only when skipped).
        const inDescription = acknowledgedInIssue === true && patched(ACK_IN_DESCRIPTION_PATCH);
        if (mirrored && acknowledgeNow && !inDescription) {
          await writeInternalNote({
            conversationId,
            ref: `ack-${event.messageId}`,
            note: { kind: 'acknowledgement' },
          });
        }
        return;
      }
      case 'staffAnswer': {
        const ref: MessageRef = { conversationId, messageId: event.messageId };
        if (clock) {
          const answered = clock;
          clock = null;
          await recordSlaOutcome({
            conversationId,
            requestMessageId: answered.requestId,
            answerMessageId: event.messageId,
            startedAt: iso(answered.startedAt),
            answeredAt: iso(Date.now()),
            targetAt: iso(answered.targetAt),
            maxAt: iso(answered.maxAt),
          });
          await showDeadlines(null);
        }
        // The client's notifier tells them after the grace window (workflows/notifier.ts).
        await queueAnswerNotification(ref);
        if (!event.fromRedmine) await mirrorStaffAnswer(ref);
        return;
      }
      case 'askSatisfaction': {
        if (satisfaction) return;
        // The clock does not run while the conversation waits for the client.
        if (clock) {
          clock = null;
          await showDeadlines(null);
        }
        const policy = await loadSlaPolicy(conversationId);
        satisfaction = { ref: event.ref, deadline: Date.now() + policy.satisfactionTimeoutMs };
        const { notificationId } = await askSatisfaction({ conversationId, ref: event.ref });
        await deliverNotification(notificationId);
        return;
      }
      case 'satisfactionAnswer': {
        satisfaction = null;
        if (event.resolved) {
          clock = null;
          await resolveConversation({ conversationId, ref: event.ref, automatic: false });
        } else if (!clock) {
          await startAnswerClock(`reopen-${event.ref}`);
        }
        return;
      }
    }
  }

  for (;;) {
    const next = nextDeadline();
    await condition(
      () => pending.length > 0 || historyFull(),
      next === undefined ? undefined : Math.max(1, next - Date.now()),
    );
    try {
      await fireDueDeadlines();
    } catch (err) {
      if (!stepFailed(err)) throw err;
      log.warn('SLA deadline step failed', { error: (err.cause ?? err).message });
    }
    if (historyFull()) {
      // Keep history bounded on long conversations, even under steady traffic; events not yet
      // handled and the clocks travel with us (the server refuses the move if a signal arrives).
      await continueAsNew<typeof conversationWorkflow>({
        conversationId,
        acknowledged,
        pending,
        clock,
        satisfaction,
        handledEvents,
      });
      return;
    }
    const event = pending.shift();
    if (!event) continue;
    try {
      await handle(event);
    } catch (err) {
      if (!stepFailed(err)) throw err;
      log.warn('conversation event dropped', { event: event.type, error: (err.cause ?? err).message });
    }
    handledEvents++;
  }
}
