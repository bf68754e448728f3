// A client's request opened in one local activity (activities/request-opening.ts): the parts run in
// the order the separate steps ran, only the parts asked for run, and a row still unseen after
// some minutes of retries fails for good instead of being retried for as long as the mail server
// may be down. The parts themselves run against PostgreSQL and the SMTP server in the workflow
// tests (tests/workflows/sla.test.ts, conversation.test.ts); here they are recorded stand-ins.
import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import {
  UNSEEN_GIVE_UP_ATTEMPT,
  createRequestOpeningActivities,
  type RequestOpening,
  type RequestOpeningSteps,
} from '../../../activities/request-opening.js';
import type { SlaPolicy } from '../../../activities/sla.js';
import { startClock } from '../../../domain/sla-clock.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../../../domain/sla-calendar.js';

const HOUR = 3_600_000;
const ref = { conversationId: 'c-1', messageId: 'm-1' };
const writtenAt = '2026-12-07T09:15:00.000Z';
/** The workflow's time when it got to the request: the clock still counts from `writtenAt`. */
const later = '2026-12-07T09:17:30.000Z';
const policy: SlaPolicy = {
  calendar: { ...DEFAULT_BUSINESS_CALENDAR, mode: 'calendar' },
  targetMs: 24 * HOUR,
  maxMs: 48 * HOUR,
  satisfactionTimeoutMs: 72 * HOUR,
  requestedAt: writtenAt,
};

function recordedSteps(overrides: Partial<RequestOpeningSteps> = {}, toRedmine = true) {
  const calls: string[] = [];
  const deadlines: unknown[] = [];
  const steps: RequestOpeningSteps = {
    loadSlaPolicy: async (conversationId, messageId) => {
      calls.push(`policy ${conversationId} ${messageId}`);
      return policy;
    },
    recordSlaDeadlines: async (input) => {
      calls.push('deadlines');
      deadlines.push(input);
    },
    acknowledgeRequestMail: async () => {
      calls.push('acknowledgement');
      return { notificationId: 'n-1', refused: false };
    },
    needsMirror: async () => {
      calls.push('mirror?');
      return toRedmine;
    },
    ...overrides,
  };
  const opening = createRequestOpeningActivities(steps);
  return {
    calls,
    deadlines,
    openRequest: (r: typeof ref, o: RequestOpening) => opening.openRequest(r, o),
  };
}

describe('opening a client request in one step', () => {
  it('starts the clock at the message’s time, shows it, then acknowledges, then asks about the mirror', async () => {
    const { calls, deadlines, openRequest } = recordedSteps();
    const opened = await openRequest(ref, { clockNow: Date.parse(later), acknowledge: true });
    expect(calls).toEqual(['policy c-1 m-1', 'deadlines', 'acknowledgement', 'mirror?']);
    // The clock dates from when the client wrote, not from when the step ran.
    expect(opened.clock).toEqual(startClock('m-1', Date.parse(writtenAt), policy));
    expect(deadlines).toEqual([
      {
        conversationId: 'c-1',
        startedAt: writtenAt,
        targetAt: '2026-12-08T09:15:00.000Z',
        maxAt: '2026-12-09T09:15:00.000Z',
      },
    ]);
    expect(opened.acknowledgement).toEqual({ refused: false });
    expect(opened.needsMirror).toBe(true);
  });

  it('never starts a clock after the workflow’s time, even when the message is dated later (clocks differ)', async () => {
    const { openRequest } = recordedSteps({
      loadSlaPolicy: async () => ({ ...policy, requestedAt: '2026-12-07T09:20:00.000Z' }),
    });
    const opened = await openRequest(ref, { clockNow: Date.parse(later), acknowledge: false });
    expect(opened.clock?.startedAt).toBe(Date.parse(later));
  });

  it('runs only the mirror’s question for a message while a clock runs on an acknowledged conversation', async () => {
    const { calls, openRequest } = recordedSteps({}, false);
    const opened = await openRequest(ref, { clockNow: null, acknowledge: false });
    expect(calls).toEqual(['mirror?']);
    expect(opened).toEqual({ clock: null, acknowledgement: null, needsMirror: false });
  });

  it('passes on an acknowledgement the mail server refused for good', async () => {
    const { openRequest } = recordedSteps({
      acknowledgeRequestMail: async () => ({ notificationId: 'n-1', refused: true }),
    });
    const opened = await openRequest(ref, { clockNow: null, acknowledge: true });
    expect(opened.acknowledgement).toEqual({ refused: true });
  });

  it('retries a row not yet visible, and gives up on it for good after some minutes of attempts', async () => {
    const unseen = () => {
      throw ApplicationFailure.retryable('message m-1 is not visible yet', 'NotYetVisible');
    };
    const { openRequest } = recordedSteps({ loadSlaPolicy: async () => unseen() });
    const at = (attempt: number) =>
      new MockActivityEnvironment({ attempt })
        .run(openRequest, ref, { clockNow: Date.parse(later), acknowledge: true })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
    const early = await at(UNSEEN_GIVE_UP_ATTEMPT - 1);
    expect(early).toBeInstanceOf(ApplicationFailure);
    expect((early as ApplicationFailure).nonRetryable).toBe(false);
    const late = await at(UNSEEN_GIVE_UP_ATTEMPT);
    expect(late).toBeInstanceOf(ApplicationFailure);
    expect((late as ApplicationFailure).nonRetryable).toBe(true);
    expect((late as ApplicationFailure).type).toBe('NotYetVisible');
  });

  it('leaves any other failure as it was (an SMTP outage is retried for as long as it lasts)', async () => {
    const outage = new Error('connect ECONNREFUSED 127.0.0.1:2525');
    const { openRequest } = recordedSteps({
      acknowledgeRequestMail: async () => {
        throw outage;
      },
    });
    const failed = await new MockActivityEnvironment({ attempt: 50 })
      .run(openRequest, ref, { clockNow: null, acknowledge: true })
      .catch((err: unknown) => err);
    expect(failed).toBe(outage);
  });
});
