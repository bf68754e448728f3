// activities/redmine/poll.ts: the poll's pace (fast while issues change or a client looks,
// doubling to the idle wait), which listed issues are read (moved `updated_on`, or the same second not yet over), reads
// a few at once, the cursor kept back when a read fails, and the rescan spread over the polls.
// Redmine is a stand-in here (the real one is in tests/redmine/mirror.test.ts).
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import {
  createPollSteps,
  inParallel,
  needsRead,
  nextPollWait,
  rescanShare,
  SAME_SECOND_MS,
  type SyncInput,
} from '../../activities/redmine/poll.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import type { RedmineIssue } from '../../connectors/redmine/types.js';
import type { SyncState } from '../../domain/workflow-inputs.js';

const pace = { pollMs: 500, idlePollMs: 2500, activeMs: 30_000 };

describe('the poll pace', () => {
  it('polls fast while a change is recent, then doubles the wait up to the idle wait', () => {
    expect(nextPollWait(500, 0, pace)).toBe(500);
    expect(nextPollWait(2500, 29_999, pace)).toBe(500);
    expect(nextPollWait(500, 30_000, pace)).toBe(1000);
    expect(nextPollWait(1000, 31_000, pace)).toBe(2000);
    expect(nextPollWait(2000, 33_000, pace)).toBe(2500);
    expect(nextPollWait(2500, 3_600_000, pace)).toBe(2500);
    // An idle wait below the active one is the active one.
    expect(nextPollWait(500, 60_000, { ...pace, idlePollMs: 100 })).toBe(500);
  });

  it('stays fast while a client page was served within the watch window, else backs off as before', () => {
    const watched = { ...pace, watchMs: 30_000 };
    // Nothing changed for an hour, but a client looked 5 s ago: fast.
    expect(nextPollWait(2500, 3_600_000, watched, 5000)).toBe(500);
    expect(nextPollWait(2500, 3_600_000, watched, 29_999)).toBe(500);
    // The look is over: the wait doubles from where it was, as when a change gets old.
    expect(nextPollWait(500, 3_600_000, watched, 30_000)).toBe(1000);
    expect(nextPollWait(2000, 3_600_000, watched, 60_000)).toBe(2500);
    // Never looked (null), or no watch window (a poller started before it existed): as before.
    expect(nextPollWait(2500, 3_600_000, watched, null)).toBe(2500);
    expect(nextPollWait(2500, 3_600_000, pace, 0)).toBe(2500);
  });

  it('spreads a rescan round over half the rescan period, at least one issue per poll', () => {
    expect(rescanShare(0, 500, 120_000)).toBe(0);
    expect(rescanShare(5, 500, 120_000)).toBe(1);
    expect(rescanShare(1000, 2500, 120_000)).toBe(42);
    expect(rescanShare(7, 5000, 3000)).toBe(7);
  });

  it('reads an issue whose updated_on moved, and again until its second is well over', () => {
    const at = Date.parse('2026-12-07T10:00:00Z');
    expect(needsRead(undefined, at)).toBe('changed');
    expect(needsRead({ updatedOn: at - 1000, readAt: at + 5000 }, at)).toBe('changed');
    expect(needsRead({ updatedOn: at, readAt: at + 400 }, at)).toBe('same-second');
    expect(needsRead({ updatedOn: at, readAt: at + SAME_SECOND_MS + 1 }, at)).toBe('no');
  });

  it('runs at most `limit` at once and reports a failure after the others ended', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    const work = async (n: number) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (n === 3) throw new Error('issue 3');
      done.push(n);
    };
    await expect(inParallel([1, 2, 3, 4, 5, 6, 7], 3, work)).rejects.toThrow('issue 3');
    expect(most).toBe(3);
    expect(done.sort()).toEqual([1, 2, 4, 5, 6, 7]);
  });
});

function issue(id: number, updatedOn: number): RedmineIssue {
  return { id, updatedOn: new Date(updatedOn) } as RedmineIssue;
}

/** A stand-in Redmine whose issue list is what `listed()` says, counting its calls. */
function harness(listed: () => RedmineIssue[], options: { readMs?: number; failOn?: number } = {}) {
  const lists: number[] = [];
  const reads: number[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const ctx = {
    projectIds: [1],
    client: {
      listIssuesUpdatedSince: async () => {
        lists.push(Date.now());
        return listed();
      },
    },
  } as unknown as RedmineMirrorContext;
  const syncIssue = async (_: RedmineMirrorContext, id: number) => {
    running++;
    mostAtOnce = Math.max(mostAtOnce, running);
    try {
      await new Promise((r) => setTimeout(r, options.readMs ?? 1));
      if (id === options.failOn) throw new Error(`Redmine refused issue ${id}`);
      reads.push(id);
      return 'mirrored' as const;
    } finally {
      running--;
    }
  };
  return { ctx, syncIssue, lists, reads, mostAtOnce: () => mostAtOnce };
}

async function run(
  h: ReturnType<typeof harness>,
  input: Partial<SyncInput>,
  live: number[] = [],
  lookedMsAgo: () => Promise<number | null> = async () => null,
  env = new MockActivityEnvironment(),
  beatEveryMs?: number,
): Promise<{ result: SyncState | undefined; error: unknown; beats: SyncState[] }> {
  const beats: SyncState[] = [];
  env.on('heartbeat', (d: SyncState) => beats.push(d));
  const steps = createPollSteps(
    { db: undefined as never, redmine: h.ctx },
    h.syncIssue,
    async () => live,
    lookedMsAgo,
    beatEveryMs,
  );
  const full: SyncInput = { runForMs: 1000, pollMs: 100, rescanMs: 3_600_000, ...input };
  try {
    let result: SyncState | undefined;
    await env.run(async () => {
      result = await steps.syncRedmine(full);
    });
    return { result, error: undefined, beats };
  } catch (error) {
    return { result: undefined, error, beats };
  }
}

describe('syncRedmine', () => {
  it('while idle: one list per poll at the idle pace, the last changed issue not read again', async () => {
    const old = Date.now() - 60_000;
    const h = harness(() => [issue(7, old)]);
    const { result } = await run(h, {
      runForMs: 1200,
      pollMs: 50,
      idlePollMs: 400,
      activeMs: 0,
      seen: [[7, old, old + 10_000]],
      cursor: new Date(old).toISOString(),
    });
    expect(h.reads).toEqual([]);
    // 0, 400, 800 ms (the first waits double from 50 ms only when it was active).
    expect(h.lists.length).toBeGreaterThanOrEqual(3);
    expect(h.lists.length).toBeLessThanOrEqual(4);
    expect(result?.cursor).toBe(new Date(old).toISOString());
  });

  it('after a change: fast polls for the active window, then backing off', async () => {
    const changedAt = Date.now() - 60_000;
    const h = harness(() => [issue(3, changedAt)]);
    const { result } = await run(h, { runForMs: 1500, pollMs: 50, idlePollMs: 800, activeMs: 500 });
    // Read once (its second is long over), then not again.
    expect(h.reads).toEqual([3]);
    const gaps = h.lists.slice(1).map((t, i) => t - h.lists[i]!);
    // Within the active window, about every 50 ms; the last gaps are longer (doubling).
    const early = gaps.slice(0, 5).sort((x, y) => x - y);
    expect(early[2]).toBeLessThan(200);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(350);
    expect(h.lists.length).toBeLessThan(1500 / 50);
    expect(result?.cursor).toBe(new Date(changedAt).toISOString());
    expect(Date.parse(result!.lastChangeAt!)).toBeGreaterThan(changedAt);
  });

  it('reads an issue changed this very second again on the next polls, until the second is over', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const h = harness(() => [issue(9, now)]);
    await run(h, { runForMs: 3500, pollMs: 200, idlePollMs: 200, activeMs: 0 });
    const times = h.reads.length;
    // Read on the polls within SAME_SECOND_MS of its updated_on, then no more.
    expect(times).toBeGreaterThanOrEqual(3);
    expect(times).toBeLessThanOrEqual(Math.ceil((SAME_SECOND_MS + 1000) / 200) + 1);
    expect(h.lists.length).toBeGreaterThan(times);
  });

  it('reads the changed issues a few at once', async () => {
    const at = Date.now() - 60_000;
    const h = harness(() => [1, 2, 3, 4, 5, 6, 7, 8].map((id) => issue(id, at + id)), { readMs: 20 });
    await run(h, { runForMs: 300, pollMs: 100, concurrency: 3 });
    expect(h.reads.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(h.mostAtOnce()).toBe(3);
  });

  it('a read that fails fails the poll, and the cursor stays before the issues of that poll', async () => {
    const before = Date.now() - 120_000;
    const at = Date.now() - 60_000;
    const h = harness(() => [issue(1, at), issue(2, at + 1000)], { failOn: 2 });
    const { error, beats } = await run(h, { cursor: new Date(before).toISOString() });
    expect(String(error)).toContain('Redmine refused issue 2');
    expect(beats.every((b) => b.cursor === new Date(before).toISOString())).toBe(true);
  });

  it('while a client looks: fast polls although nothing changed; once they stop, backing off', async () => {
    const old = Date.now() - 60_000;
    const h = harness(() => []);
    const started = Date.now();
    // A client page served just before the run, and none after: watched for the first 400 ms.
    let asked = 0;
    const { result } = await run(
      h,
      {
        runForMs: 1500,
        pollMs: 50,
        idlePollMs: 800,
        activeMs: 0,
        watchMs: 400,
        cursor: new Date(old).toISOString(),
      },
      [],
      async () => {
        asked++;
        return Date.now() - started;
      },
    );
    const gaps = h.lists.slice(1).map((t, i) => t - h.lists[i]!);
    // Looked at with every poll (and during the back-off); about every 50 ms while watched, then
    // the wait doubles to 800 ms.
    expect(asked).toBeGreaterThanOrEqual(h.lists.length);
    expect(gaps.slice(0, 4).every((g) => g < 200)).toBe(true);
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(350);
    expect(h.lists.length).toBeLessThan(1500 / 50);
    expect(h.reads).toEqual([]);
    // A look is not a change: the state keeps no change time.
    expect(result?.lastChangeAt).toBeUndefined();
  });

  it('in a back-off, a client who starts looking ends the wait: the next poll comes within a fast period', async () => {
    const h = harness(() => []);
    const started = Date.now();
    // Nobody looked until 600 ms into the run; then a client page is served.
    const lookAt = started + 600;
    await run(h, { runForMs: 1500, pollMs: 50, idlePollMs: 5000, activeMs: 0, watchMs: 10_000 }, [], async () =>
      Date.now() >= lookAt ? Date.now() - lookAt : null,
    );
    // The first poll at 0, then the idle wait (5 s) cut short at the look: polls from ~600 ms on.
    expect(h.lists[0]! - started).toBeLessThan(100);
    const afterLook = h.lists.filter((t) => t >= lookAt);
    expect(afterLook[0]! - lookAt).toBeLessThan(200);
    expect(afterLook.length).toBeGreaterThanOrEqual(5);
    expect(h.lists.filter((t) => t > started + 100 && t < lookAt)).toEqual([]);
  });

  it('without a client looking nor a watch window, the watch is not read and the pace stays idle', async () => {
    const h = harness(() => []);
    let asked = 0;
    await run(h, { runForMs: 900, pollMs: 50, idlePollMs: 400, activeMs: 0, watchMs: 0 }, [], async () => {
      asked++;
      return 0;
    });
    expect(asked).toBe(0);
    expect(h.lists.length).toBeLessThanOrEqual(3);
  });

  it('heartbeats during a wait longer than the heartbeat timeout, with or without the watch', async () => {
    // An idle wait of 60 s in a run of 1.2 s: one poll, then the wait to the run's end. Without
    // beats on the way, a real wait that long outlives the workflow's 30 s heartbeat timeout.
    for (const watchMs of [0, 30_000]) {
      const h = harness(() => []);
      const { beats, error } = await run(
        h,
        { runForMs: 1200, pollMs: 50, idlePollMs: 60_000, activeMs: 0, watchMs },
        [],
        async () => null,
        undefined,
        200,
      );
      expect(error).toBeUndefined();
      expect(h.lists.length).toBe(1);
      // One after the poll, then one at least every 200 ms of the ~1.2 s wait.
      expect(beats.length).toBeGreaterThanOrEqual(4);
    }
  });

  it('a database that does not answer for the watch leaves the poll at its pace, not failed', async () => {
    const h = harness(() => []);
    const { error } = await run(
      h,
      { runForMs: 900, pollMs: 50, idlePollMs: 400, activeMs: 0, watchMs: 30_000 },
      [],
      async () => {
        throw new Error('connection refused');
      },
    );
    expect(error).toBeUndefined();
    expect(h.lists.length).toBeLessThanOrEqual(3);
  });

  it('cancelled between polls (new settings, a worker stopping), it hands back its whole state', async () => {
    const at = Date.now() - 60_000;
    const h = harness(() => [issue(4, at)]);
    const env = new MockActivityEnvironment();
    setTimeout(() => env.cancel(), 300);
    const { result, error } = await run(h, { runForMs: 60_000, pollMs: 100, idlePollMs: 100 }, [], undefined, env);
    expect(error).toBeUndefined();
    expect(h.reads).toEqual([4]);
    expect(result?.cursor).toBe(new Date(at).toISOString());
    expect(h.lists.length).toBeLessThan(10);
  });

  it('re-reads live conversations a share per poll, each once per round', async () => {
    const h = harness(() => []);
    await run(h, { runForMs: 1000, pollMs: 100, idlePollMs: 100, activeMs: 0, rescanMs: 1200 }, [11, 12, 13, 14]);
    // 1200 ms rescan: the round spreads over about 600 ms, one issue per poll.
    expect(h.reads).toEqual([11, 12, 13, 14]);
  });
});
