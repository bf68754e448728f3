// One workflow per case (id `document-collection-<caseId>`): deposits, reviews and comments
// arrive as signals. The agency gets one e-mail for the deposits of a few minutes, the client is
// reminded of missing pieces on the template's cadence (e.g. day 2, 5, 10, then weekly) until
// the case is complete or closed, staff hear of completion, and each deposit and review becomes
// a private note on the case's Redmine issue.
import {
  ActivityFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, CollectionPolicy } from '../activities/index.js';

import type { CollectionEvent } from '../domain/workflow-inputs.js';

export type { CollectionEvent };

export interface DepositDigest {
  ref: string;
  dueAt: number;
  documentIds: string[];
}

export interface CollectionInput {
  caseId: string;
  /** Carried over continue-as-new. */
  pending?: CollectionEvent[];
  remindersSent?: number;
  digest?: DepositDigest | null;
  /** Refusals told to the client in one e-mail, like the agency's deposits. */
  refusals?: DepositDigest | null;
  handledEvents?: number;
}

export interface CollectionState {
  caseId: string;
  remindersSent: number;
  nextReminderAt: number | null;
  digest: DepositDigest | null;
  refusals: DepositDigest | null;
  complete: boolean;
  closed: boolean;
  handledEvents: number;
  pendingEvents: number;
}

export const depositSignal = defineSignal<[{ documentIds: string[] }]>('deposit');
export const reviewSignal = defineSignal<[{ documentId: string }]>('review');
export const commentSignal = defineSignal<[{ commentId: string }]>('comment');
export const closeSignal = defineSignal('close');
export const policySignal = defineSignal('policyChanged');
export const collectionStateQuery = defineQuery<CollectionState>('collectionState');

export function documentCollectionWorkflowId(caseId: string): string {
  return `document-collection-${caseId}`;
}

const DAY_MS = 86_400_000;

/** When the reminder number `index` (from 0) is due, in ms after the collection started. */
export function reminderOffset(index: number, days: readonly number[], everyDays: number): number {
  if (index < days.length) return (days[index] ?? 0) * DAY_MS;
  const last = days.length > 0 ? (days[days.length - 1] ?? 0) : 0;
  return (last + (index - days.length + 1) * everyDays) * DAY_MS;
}

const {
  loadCollectionPolicy,
  noteDeposit,
  sendDepositDigest,
  noteReview,
  sendRefusalDigest,
  notifyCaseComplete,
  forwardCaseComment,
  remindMissingPieces,
} = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 30 },
});
const { deliverNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

// Long as a whole: a workflow's state lives in its closure; its handlers are short functions inside.
export async function documentCollectionWorkflow(input: CollectionInput): Promise<void> {
  const { caseId } = input;
  const pending: CollectionEvent[] = [...(input.pending ?? [])];
  let remindersSent = input.remindersSent ?? 0;
  let digest: DepositDigest | null = input.digest ?? null;
  let refusals: DepositDigest | null = input.refusals ?? null;
  let handledEvents = input.handledEvents ?? 0;
  let complete = false;
  let closed = false;
  // Loaded after the handlers are set (they must be before the first await).
  const loaded: { policy?: CollectionPolicy } = {};

  setHandler(depositSignal, ({ documentIds }) => void pending.push({ type: 'deposit', documentIds }));
  setHandler(reviewSignal, ({ documentId }) => void pending.push({ type: 'review', documentId }));
  setHandler(commentSignal, ({ commentId }) => void pending.push({ type: 'comment', commentId }));
  setHandler(closeSignal, () => void pending.push({ type: 'close' }));
  setHandler(policySignal, () => void pending.push({ type: 'policy' }));
  const nextReminderAt = () => {
    const policy = loaded.policy;
    return policy && !complete && !closed
      ? policy.startedAt + reminderOffset(remindersSent, policy.reminderDays, policy.reminderEveryDays)
      : null;
  };
  setHandler(collectionStateQuery, () => ({
    caseId,
    remindersSent,
    nextReminderAt: nextReminderAt(),
    digest,
    refusals,
    complete,
    closed,
    handledEvents,
    pendingEvents: pending.length,
  }));

  let policy = await loadCollectionPolicy(caseId);
  loaded.policy = policy;
  complete = policy.complete;
  closed = policy.closed;
  // A run started late (or restarted, or given a new cadence) does not send the reminders it
  // missed: only the last one due.
  function skipMissedReminders(): void {
    while (!complete && !closed) {
      const following =
        policy.startedAt + reminderOffset(remindersSent + 1, policy.reminderDays, policy.reminderEveryDays);
      if (following > Date.now()) break;
      remindersSent++;
    }
  }
  skipMissedReminders();

  async function refreshPolicy(): Promise<void> {
    policy = await loadCollectionPolicy(caseId);
    loaded.policy = policy;
    skipMissedReminders();
  }

  async function deliver(ids: Array<string | null>): Promise<void> {
    for (const id of ids) if (id) await deliverNotification(id);
  }

  async function fireDue(): Promise<void> {
    const now = Date.now();
    if (digest && digest.dueAt <= now) {
      const sending = digest;
      const { notificationId } = await sendDepositDigest({
        caseId,
        ref: sending.ref,
        documentIds: sending.documentIds,
      });
      digest = null;
      await deliver([notificationId]);
    }
    if (refusals && refusals.dueAt <= now) {
      const sending = refusals;
      const { notificationId, contributorNotificationIds } = await sendRefusalDigest({
        caseId,
        ref: sending.ref,
        documentIds: sending.documentIds,
      });
      refusals = null;
      await deliver([notificationId, ...(contributorNotificationIds ?? [])]);
    }
    let reminderAt = nextReminderAt();
    // The cadence may have been edited since the timer was set: the reminder goes by the
    // template as it is now (a signal wakes the workflow early; this catches a lost signal).
    if (reminderAt !== null && reminderAt <= now && patched('reminder-reads-cadence')) {
      await refreshPolicy();
      reminderAt = nextReminderAt();
    }
    if (reminderAt !== null && reminderAt <= now) {
      const result = await remindMissingPieces({ caseId, index: remindersSent });
      remindersSent++;
      if (result.complete) await becomeComplete();
      if (result.closed) closed = true;
      await deliver([result.notificationId, ...(result.contributorNotificationIds ?? [])]);
    }
  }

  async function becomeComplete(): Promise<void> {
    if (complete) return;
    complete = true;
    const { notificationId } = await notifyCaseComplete({ caseId });
    await deliver([notificationId]);
  }

  async function handle(event: CollectionEvent): Promise<void> {
    switch (event.type) {
      case 'deposit': {
        await noteDeposit({ caseId, documentIds: event.documentIds });
        if (digest) digest.documentIds.push(...event.documentIds);
        else
          digest = {
            ref: `deposits-${event.documentIds[0] ?? handledEvents}`,
            dueAt: Date.now() + policy.digestMinutes * 60_000,
            documentIds: [...event.documentIds],
          };
        return;
      }
      case 'review': {
        const result = await noteReview({ caseId, documentId: event.documentId });
        if (patched('grouped-refusals')) {
          // Refusals of a few minutes reach the client as one e-mail.
          if (result.rejected) {
            if (refusals) refusals.documentIds.push(event.documentId);
            else
              refusals = {
                ref: `refusals-${event.documentId}`,
                dueAt: Date.now() + policy.digestMinutes * 60_000,
                documentIds: [event.documentId],
              };
          }
        } else await deliver([result.notificationId]);
        if (result.complete) await becomeComplete();
        return;
      }
      case 'comment': {
        const { notificationId } = await forwardCaseComment({ caseId, commentId: event.commentId });
        await deliver([notificationId]);
        return;
      }
      case 'close':
        closed = true;
        return;
      case 'policy':
        await refreshPolicy();
        return;
    }
  }

  for (;;) {
    // Closed, and the last deposits told: nothing more to wait for.
    if (closed && !digest && !refusals && pending.length === 0) return;
    const times = [digest?.dueAt, refusals?.dueAt, nextReminderAt()].filter((t): t is number => typeof t === 'number');
    const next = times.length > 0 ? Math.min(...times) : undefined;
    await condition(
      () => pending.length > 0 || workflowInfo().continueAsNewSuggested,
      next === undefined ? undefined : Math.max(1, next - Date.now()),
    );
    try {
      await fireDue();
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('document collection deadline step failed', { error: err.cause?.message });
    }
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof documentCollectionWorkflow>({
        caseId,
        pending,
        remindersSent,
        digest,
        refusals,
        handledEvents,
      });
      return;
    }
    const event = pending.shift();
    if (!event) continue;
    try {
      await handle(event);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('document collection event dropped', { event: event.type, error: err.cause?.message });
    }
    handledEvents++;
  }
}
