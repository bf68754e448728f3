// One notifier per client account (id `notify-<accountId>`): staff answers arrive as signals; the
// first one opens a grace window (NOTIFY_GRACE_SECONDS, a Temporal timer) and when it ends the
// answers still public and present go in ONE e-mail grouped by conversation (their text as it is
// then), or wait for the daily summary at 18:00 Paris, or go nowhere, as the client chose. SMS
// wait for the daytime (8:00-20:00 Paris). Continue-as-new after each batch keeps histories short;
// with nothing left to tell the run ends, and the next answer starts a new one.
import {
  ActivityFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { nextDailySummaryAt, nextSmsAllowedAt } from '../domain/notification-times.js';

export interface NotifierInput {
  accountId: string;
  /** Carried over continue-as-new. */
  graceSeconds?: number;
  /** Answers in the current grace window, and when it ends (ms since the epoch). */
  pending?: string[];
  batchAt?: number | null;
  /** Answers waiting for the daily summary, and when it goes. */
  held?: string[];
  dailyAt?: number | null;
  /** Answers to tell by SMS, and the first instant an SMS may go out. */
  sms?: string[];
  smsAt?: number | null;
}

export interface NotifierState {
  pending: number;
  batchAt: number | null;
  held: number;
  dailyAt: number | null;
  sms: number;
  smsAt: number | null;
  batches: number;
}

/** A staff answer to tell; `graceSeconds` is the installation's NOTIFY_GRACE_SECONDS. */
export const answerSignal = defineSignal<[{ messageId: string; graceSeconds: number }]>('answer');
export const notifierStateQuery = defineQuery<NotifierState>('notifierState');

export function notifierWorkflowId(accountId: string): string {
  return `notify-${accountId}`;
}

// Database steps: patient retries.
const { prepareAnswerBatch, sendAnswerSms } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2 },
});
// The Redmine re-read: a few tries. While Redmine is unreachable nobody can change a note in it
// either, so the answers then go as last mirrored rather than wait for the whole outage.
const { refreshAnswersFromRedmine } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumInterval: '20 seconds', backoffCoefficient: 2, maximumAttempts: 4 },
});
// SMTP: patient retries, an outage must not lose a mail.
const { deliverNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

export async function notifierWorkflow(input: NotifierInput): Promise<void> {
  const accountId = input.accountId;
  let graceSeconds = input.graceSeconds ?? 120;
  const pending = [...(input.pending ?? [])];
  let batchAt = input.batchAt ?? null;
  const held = [...(input.held ?? [])];
  let dailyAt = input.dailyAt ?? null;
  const sms = [...(input.sms ?? [])];
  let smsAt = input.smsAt ?? null;
  let batches = 0;
  let signalled = false;

  setHandler(answerSignal, ({ messageId, graceSeconds: grace }) => {
    graceSeconds = grace;
    signalled = true;
    if (pending.includes(messageId) || held.includes(messageId)) return;
    pending.push(messageId);
    // The window opens with the first answer; later ones join it.
    batchAt ??= Date.now() + grace * 1000;
  });
  setHandler(notifierStateQuery, () => ({
    pending: pending.length,
    batchAt,
    held: held.length,
    dailyAt,
    sms: sms.length,
    smsAt,
    batches,
  }));

  const nextDue = () => {
    const times = [batchAt, dailyAt, smsAt].filter((t): t is number => t !== null);
    return times.length > 0 ? Math.min(...times) : undefined;
  };
  const isDue = (t: number | null) => t !== null && t <= Date.now();

  async function refresh(ids: string[]) {
    try {
      await refreshAnswersFromRedmine(ids);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('Redmine not re-read before telling answers: sent as last mirrored', {
        error: (err.cause ?? err).message,
      });
    }
  }

  async function deliver(ids: readonly string[]) {
    for (const id of ids) await deliverNotification(id);
  }

  for (;;) {
    const next = nextDue();
    if (next === undefined) {
      // Nothing to tell: the run ends (a signal arriving now makes the server refuse the end).
      if (pending.length === 0 && held.length === 0 && sms.length === 0) return;
    }
    if (next === undefined || next > Date.now()) {
      signalled = false;
      // Wake at the next due time, or on a signal (which may open a window).
      await condition(() => signalled, next === undefined ? undefined : Math.max(1, next - Date.now()));
      continue;
    }
    let handled = false;
    if (isDue(batchAt)) {
      const ids = pending.splice(0);
      batchAt = null;
      // Notes edited, made private or deleted within the window reach the database first.
      await refresh(ids);
      const result = await prepareAnswerBatch({ accountId, messageIds: ids, kind: 'batch' });
      await deliver(result.notificationIds);
      if (result.hold.length > 0) {
        held.push(...result.hold);
        dailyAt ??= nextDailySummaryAt(Date.now());
      }
      if (result.sms.length > 0) {
        sms.push(...result.sms);
        smsAt ??= nextSmsAllowedAt(Date.now());
      }
      handled = true;
    }
    if (isDue(dailyAt)) {
      const ids = held.splice(0);
      dailyAt = null;
      await refresh(ids);
      await deliver((await prepareAnswerBatch({ accountId, messageIds: ids, kind: 'daily' })).notificationIds);
      handled = true;
    }
    if (isDue(smsAt)) {
      const ids = sms.splice(0);
      smsAt = null;
      // A batch that reached 20:00 while being told waits for the morning.
      const allowed = nextSmsAllowedAt(Date.now());
      if (allowed > Date.now()) {
        sms.push(...ids);
        smsAt = allowed;
      } else {
        await sendAnswerSms({ accountId, messageIds: ids });
        handled = true;
      }
    }
    if (handled) batches++;
    if (handled && (pending.length > 0 || held.length > 0 || sms.length > 0)) {
      // Keep the history short: a new run carries what is still waiting.
      await continueAsNew<typeof notifierWorkflow>({
        accountId,
        graceSeconds,
        pending,
        batchAt,
        held,
        dailyAt,
        sms,
        smsAt,
      });
    }
  }
}
