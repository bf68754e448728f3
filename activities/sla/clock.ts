// The answer clock: the space's policy, the deadlines pages and lists show, and one outcome per
// answered request for metrics.
import { messageWrittenAt, recordSlaOutcomeOnce, setSlaDeadlines } from '../../db/sla.js';
import type { SlaActivityDeps, SlaHelpers, SlaPolicy } from './deps.js';

const HOUR = 3_600_000;

/** When the request counts as answered and how that stands against its deadlines: the answer's
 * own time, kept between the clock's start and when the workflow handled it (the fallback). */
function outcomeOf(input: { startedAt: string; answeredAt: string; targetAt: string; maxAt: string }, answer?: Date) {
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
  return { answeredAt, outcome } as const;
}

export function createClockSteps({ db }: SlaActivityDeps, { context }: SlaHelpers) {
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
      const { answeredAt, outcome } = outcomeOf(input, answer);
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
  };
}
