// A client's request opened in one local activity: its answer clock started and shown, its
// acknowledgement written and mailed (the opening request only), and whether it goes to Redmine.
// These were four local activities in a row; each one costs the conversation workflow an
// activation of its own (a run through the SDK's sandbox, on the worker's one workflow thread),
// again on every replay of an evicted conversation, which is what bounded how fast a worker
// starts conversations and drains reminders falling due together (bench/sla-scale.ts, issue #18).
import { ApplicationFailure, Context } from '@temporalio/activity';
import { shownDeadlines, startRequestClock, type SlaClock } from '../domain/sla-clock.js';
import type { createAcknowledgementActivities } from './acknowledgements.js';
import type { MessageRef } from './conversations.js';
import type { createRedmineActivities } from './redmine.js';
import type { createSlaActivities } from './sla.js';

/** The steps the opening is made of, as the worker builds them. */
export type RequestOpeningSteps = Pick<ReturnType<typeof createSlaActivities>, 'loadSlaPolicy' | 'recordSlaDeadlines'> &
  Pick<ReturnType<typeof createAcknowledgementActivities>, 'acknowledgeRequestMail'> &
  Pick<ReturnType<typeof createRedmineActivities>, 'needsMirror'>;

export interface RequestOpening {
  /** A new answer clock for this request (none runs yet), started as of this instant (the
   * workflow's time, ms) or, earlier, when the client wrote it; null: a clock runs already. */
  clockNow: number | null;
  /** The conversation's opening request: the mandatory acknowledgement. */
  acknowledge: boolean;
}

export interface RequestOpened {
  clock: SlaClock | null;
  /** The acknowledgement's outcome, when one was asked: refused for good by the mail server. */
  acknowledgement: { refused: boolean } | null;
  needsMirror: boolean;
}

/** A row still unseen at this attempt (about 8 minutes of retries) was rolled back: the step
 * fails for good, as the separate database steps did after their 20 quick attempts, rather than
 * being retried for as long as the mail server may be down. */
export const UNSEEN_GIVE_UP_ATTEMPT = 12;

function attempt(): number {
  try {
    return Context.current().info.attempt;
  } catch {
    return 1; // a plain call, outside an activity
  }
}

export function createRequestOpeningActivities(steps: RequestOpeningSteps) {
  return {
    /**
     * Everything a client's request needs before it goes to Redmine, in the order the separate
     * steps ran: the clock first (it dates the request, and the acknowledgement quotes its
     * deadline), then the acknowledgement, then the mirror's question. The clock is computed from
     * the workflow's time it is given, not this process's clock, so that a retry computes the same
     * and its timers agree with it. Each part may run again on a retry: the deadlines are
     * overwritten with the same values, the acknowledgement has its idempotency keys and the
     * outbox's claim.
     */
    async openRequest(ref: MessageRef, opening: RequestOpening): Promise<RequestOpened> {
      try {
        let clock: SlaClock | null = null;
        if (opening.clockNow !== null) {
          const policy = await steps.loadSlaPolicy(ref.conversationId, ref.messageId);
          clock = startRequestClock(ref.messageId, opening.clockNow, policy);
          await steps.recordSlaDeadlines({ conversationId: ref.conversationId, ...shownDeadlines(clock) });
        }
        const acknowledgement = opening.acknowledge
          ? { refused: (await steps.acknowledgeRequestMail(ref)).refused }
          : null;
        return { clock, acknowledgement, needsMirror: await steps.needsMirror(ref) };
      } catch (err) {
        if (err instanceof ApplicationFailure && err.type === 'NotYetVisible' && attempt() >= UNSEEN_GIVE_UP_ATTEMPT) {
          throw ApplicationFailure.nonRetryable(err.message, 'NotYetVisible');
        }
        throw err;
      }
    },
  };
}
