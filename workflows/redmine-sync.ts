// The Redmine → Guichet mirror (id `redmine-sync-<task queue>`, one per deployment): a long-running,
// heartbeating activity polls Redmine (fast while issues change, backing off when idle: the pace
// lives in activities/redmine/poll.ts); the workflow keeps its state (cursor, last change, issues
// just read) and restarts it, with continue-as-new to keep history bounded.
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { RedmineSyncInput, SyncState } from '../domain/workflow-inputs.js';

export type { RedmineSyncInput };

/** One poller per deployment, i.e. per task queue. */
export function redmineSyncWorkflowId(taskQueue: string): string {
  return `redmine-sync-${taskQueue}`;
}

const { syncRedmine } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', backoffCoefficient: 2 },
});

export async function redmineSyncWorkflow(input: RedmineSyncInput): Promise<void> {
  let state: SyncState = {
    cursor: input.cursor,
    lastRescanAt: input.lastRescanAt,
    lastChangeAt: input.lastChangeAt,
    seen: input.seen,
  };
  for (let round = 0; round < 100 && !workflowInfo().continueAsNewSuggested; round++) {
    state = await syncRedmine({
      ...state,
      runForMs: 5 * 60_000,
      pollMs: input.pollMs,
      rescanMs: input.rescanMs,
      idlePollMs: input.idlePollMs,
      activeMs: input.activeMs,
      concurrency: input.concurrency,
    });
  }
  await continueAsNew<typeof redmineSyncWorkflow>({ ...input, ...state });
}
