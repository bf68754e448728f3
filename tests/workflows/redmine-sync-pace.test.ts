// The Redmine poller takes new REDMINE_POLL_* settings while it runs (issue #18), against the dev
// server: ensureRedmineSync (the start-up's call) on a running poller with the same settings
// changes nothing; with new ones, the running round is cancelled, hands back its state, and the
// next round runs at the new pace in the same run. The history replays on the current code.
// The poll activity is an in-test stand-in that records its inputs (the real one has its own tests).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CancelledFailure, Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { SyncInput } from '../../activities/redmine/poll.js';
import type { SyncState } from '../../domain/workflow-inputs.js';
import { createTemporalGateway } from '../../temporal/gateway.js';
import { redmineSyncWorkflowId } from '../../workflows/redmine-sync.js';
import { installTestRuntime } from '../helpers/worker.js';

const taskQueue = `test-pace-${randomBytes(4).toString('hex')}`;
/** Every round's input, in order. */
const rounds: SyncInput[] = [];
/** How each round ended. */
const ends: ('cancelled' | 'ran out')[] = [];

const activities = {
  /** Polls nothing: heartbeats every 50 ms until its time is over or it is cancelled. */
  async syncRedmine(input: SyncInput): Promise<SyncState> {
    rounds.push(input);
    const context = Context.current();
    const state: SyncState = { cursor: `cursor after round ${rounds.length}`, lastRescanAt: input.lastRescanAt };
    const until = Date.now() + input.runForMs;
    while (Date.now() < until) {
      context.heartbeat(state);
      try {
        await context.sleep(50);
      } catch (err) {
        if (!(err instanceof CancelledFailure)) throw err;
        ends.push('cancelled');
        return state;
      }
    }
    ends.push('ran out');
    return state;
  },
};

let connection: Connection;
let client: Client;
let workerConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  installTestRuntime();
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  workerConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  worker = await Worker.create({
    connection: workerConnection,
    taskQueue,
    workflowBundle: { code: inject('workflowBundleCode') },
    activities,
    // Cancellation reaches an activity with its next heartbeat sent; in production that is within
    // 0.8 × the 30 s heartbeat timeout. Here a fraction of a second, so that the test is short.
    maxHeartbeatThrottleInterval: '100 milliseconds',
  });
  running = worker.run();
});

afterAll(async () => {
  await client?.workflow
    .getHandle(redmineSyncWorkflowId(taskQueue))
    .terminate('test over')
    .catch(() => undefined);
  worker?.shutdown();
  await running;
  await workerConnection?.close();
  await connection?.close();
});

async function until(ok: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the Redmine poller and its settings', () => {
  it('a running poller takes the settings of a later start-up in the same run, keeping its state', async () => {
    const gateway = createTemporalGateway(client, taskQueue);
    const first = { pollMs: 500, idlePollMs: 2500, activeMs: 30_000, watchMs: 30_000, rescanMs: 120_000 };
    await gateway.ensureRedmineSync(first);
    await until(() => rounds.length === 1, 'the first round');
    expect(rounds[0]).toMatchObject(first);
    const handle = client.workflow.getHandle(redmineSyncWorkflowId(taskQueue));
    const runId = (await handle.describe()).runId;

    // A second start-up with the same settings: the round goes on.
    await gateway.ensureRedmineSync(first);
    await new Promise((r) => setTimeout(r, 1500));
    expect(rounds).toHaveLength(1);
    expect(ends).toEqual([]);

    // New settings: the round ends at its next heartbeat, the next one runs at the new pace, from
    // the state the first handed back, in the same run (not a new poller).
    const second = { pollMs: 250, idlePollMs: 5000, activeMs: 10_000, watchMs: 0, rescanMs: 60_000, concurrency: 2 };
    await gateway.ensureRedmineSync(second);
    await until(() => rounds.length === 2, 'a round at the new pace', 10_000);
    expect(ends).toEqual(['cancelled']);
    expect(rounds[1]).toMatchObject({ ...second, cursor: 'cursor after round 1' });
    const described = await handle.describe();
    expect(described.runId).toBe(runId);
    expect(described.status.name).toBe('RUNNING');

    // Deterministic: the history (signals, the cancellation, the marker) replays on this code.
    const history = await handle.fetchHistory();
    const kinds = (history.events ?? []).map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes')));
    expect(kinds).toContain('activityTaskCancelRequestedEventAttributes');
    expect(kinds).toContain('markerRecordedEventAttributes');
    await Worker.runReplayHistory({ workflowBundle: { code: inject('workflowBundleCode') } }, history, 'pace');
  });
});
