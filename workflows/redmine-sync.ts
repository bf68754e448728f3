// The Redmine → Guichet mirror (id `redmine-sync-<task queue>`, one per deployment): a long-running,
// heartbeating activity polls Redmine (fast while issues change or a client looks, backing off when
// idle: the pace lives in activities/redmine/poll.ts); the workflow keeps its state (cursor, last
// change, issues just read) and restarts it, with continue-as-new to keep history bounded.
//
// Settings reach a running poller: every start-up signals the pace (`redmineSyncPaceSignal`,
// through signalWithStart in temporal/gateway.ts); a different pace cancels the running round,
// whose activity hands back its state at its next heartbeat, and the next round runs at the new
// pace. Runs recorded before this (no `redmine-sync-pace` marker) ignore the signal, as they did,
// and take the new pace at their next continue-as-new.
import {
  ActivityCancellationType,
  CancellationScope,
  continueAsNew,
  defineSignal,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { RedmineSyncInput, RedmineSyncPace, SyncState } from '../domain/workflow-inputs.js';

export type { RedmineSyncInput, RedmineSyncPace };

/** One poller per deployment, i.e. per task queue. */
export function redmineSyncWorkflowId(taskQueue: string): string {
  return `redmine-sync-${taskQueue}`;
}

/** The settings of this start-up; a running poller switches to them within a heartbeat. */
export const redmineSyncPaceSignal = defineSignal<[RedmineSyncPace]>('redmineSyncPace');

const { syncRedmine } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2 },
  // A round cancelled for new settings is waited for: no two polls at once, and its state comes back.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** The pace fields of an input or a signal (the state fields left out). */
export function paceOf(p: RedmineSyncPace): RedmineSyncPace {
  return {
    pollMs: p.pollMs,
    rescanMs: p.rescanMs,
    ...(p.idlePollMs !== undefined ? { idlePollMs: p.idlePollMs } : {}),
    ...(p.activeMs !== undefined ? { activeMs: p.activeMs } : {}),
    ...(p.watchMs !== undefined ? { watchMs: p.watchMs } : {}),
    ...(p.concurrency !== undefined ? { concurrency: p.concurrency } : {}),
  };
}

function samePace(a: RedmineSyncPace, b: RedmineSyncPace): boolean {
  const x = paceOf(a);
  const y = paceOf(b);
  const keys = new Set([...Object.keys(x), ...Object.keys(y)] as (keyof RedmineSyncPace)[]);
  return [...keys].every((k) => x[k] === y[k]);
}

export async function redmineSyncWorkflow(input: RedmineSyncInput): Promise<void> {
  let state: SyncState = {
    cursor: input.cursor,
    lastRescanAt: input.lastRescanAt,
    lastChangeAt: input.lastChangeAt,
    seen: input.seen,
  };
  let pace = paceOf(input);
  let round: CancellationScope | undefined;
  let repaced = false;
  // Replay safety: a run recorded before the pace signal existed left it unhandled.
  const paced = patched('redmine-sync-pace');
  if (paced) {
    setHandler(redmineSyncPaceSignal, (next) => {
      if (samePace(pace, next)) return;
      pace = paceOf(next);
      if (round) {
        repaced = true;
        round.cancel();
      }
    });
  }
  for (let n = 0; n < 100 && !workflowInfo().continueAsNewSuggested; n++) {
    const scope = new CancellationScope();
    round = scope;
    const args = { ...state, runForMs: 5 * 60_000, ...pace };
    try {
      state = await scope.run(() => syncRedmine(args));
    } catch (err) {
      // Cancelled for new settings before it handed its state back: the next round starts from
      // the state of the last one (reading again is harmless: the mirror skips what it has).
      const forPace = repaced && isCancellation(err) && !CancellationScope.current().consideredCancelled;
      if (!forPace) throw err;
    } finally {
      round = undefined;
      repaced = false;
    }
  }
  await continueAsNew<typeof redmineSyncWorkflow>({ ...input, ...pace, ...state });
}
