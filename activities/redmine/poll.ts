// The Redmine poll: changed issues mirrored within a second while Redmine is busy, few requests
// while it is quiet, live conversations re-read now and then (a note edited or made private does
// not change `updated_on`), the cursor heartbeated so that a retried activity resumes where it was.
//
// Each poll is one `GET /issues.json` (changed since the cursor); only the issues whose
// `updated_on` moved are read with their journals, a few at once. The pace adapts: every
// `pollMs` while something changed in the last `activeMs` or a client page was served in the last
// `watchMs` (read from PostgreSQL with each poll, in parallel with the list: db/mirror-watch.ts),
// then the wait doubles up to `idlePollMs`; during such a wait the watch is read every `pollMs`,
// so that a client who starts looking is served by a poll at once, not after the idle wait. Polls start at a fixed rate (the wait counts from the start of the poll, not its
// end). The rescan of live conversations is spread over the polls, a share each.
import { CancelledFailure, Context } from '@temporalio/activity';
import { liveMirroredIssueIds } from '../../db/redmine.js';
import { clientLookedMsAgo } from '../../db/mirror-watch.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import type { SyncState } from '../../domain/workflow-inputs.js';
import type { RedmineActivityDeps } from './deps.js';

/**
 * An issue read at its `updated_on` is read again on the following polls until this long after
 * that `updated_on`: Redmine's times are whole seconds, so a second note in the same second
 * leaves `updated_on` as it was; once that second is over (with a second for clock skew between
 * Guichet and Redmine) a change moves `updated_on` and the list shows it.
 */
export const SAME_SECOND_MS = 2000;

export interface PollPace {
  /** The wait between polls while Redmine is active. */
  pollMs: number;
  /** The longest wait, reached when nothing changed for a while. */
  idlePollMs: number;
  /** How long after the last change polls stay at `pollMs`. */
  activeMs: number;
  /** How long after a client page was served polls stay at `pollMs` (unset: 0, not watched). */
  watchMs?: number | undefined;
}

/**
 * The wait before the next poll: `pollMs` while recently active or while a client looks (a client
 * page served less than `watchMs` ago; `sinceLookMs` null: never), then doubling up to `idlePollMs`.
 */
export function nextPollWait(
  previousMs: number,
  sinceChangeMs: number,
  pace: PollPace,
  sinceLookMs: number | null = null,
): number {
  const fast = pace.pollMs;
  const slow = Math.max(fast, pace.idlePollMs);
  if (sinceChangeMs < pace.activeMs) return fast;
  if (sinceLookMs !== null && sinceLookMs < (pace.watchMs ?? 0)) return fast;
  return Math.min(slow, Math.max(fast, previousMs * 2));
}

/**
 * How many live issues to re-read in this poll, so that a rescan round of `total` issues ends
 * within about half the rescan period (at least one per poll while the round lasts).
 */
export function rescanShare(total: number, waitMs: number, rescanMs: number): number {
  if (total <= 0) return 0;
  const polls = Math.max(1, Math.floor(rescanMs / 2 / Math.max(1, waitMs)));
  return Math.max(1, Math.ceil(total / polls));
}

/** Whether an issue listed at `updatedOn` needs reading, given when it was last read. */
export function needsRead(
  seen: { updatedOn: number; readAt: number } | undefined,
  updatedOn: number,
): 'changed' | 'same-second' | 'no' {
  if (!seen || seen.updatedOn !== updatedOn) return 'changed';
  return seen.readAt - seen.updatedOn > SAME_SECOND_MS ? 'no' : 'same-second';
}

/** Runs `work` over `items`, at most `limit` at once; fails (after the others end) if one failed. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const failures: unknown[] = [];
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (err) {
        failures.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failures.length > 0) throw failures[0];
}

export type SyncInput = SyncState & {
  runForMs: number;
  pollMs: number;
  rescanMs: number;
  /** Unset (a poller started before these existed): `pollMs`, i.e. no back-off. */
  idlePollMs?: number | undefined;
  activeMs?: number | undefined;
  /** Fast while a client page was served this lately; unset: 0 (a poller started before it). */
  watchMs?: number | undefined;
  /** Issues read at once; unset: 4. */
  concurrency?: number | undefined;
};

/** The longest a poll goes without heartbeating, within a wait too: the workflow's heartbeat
 * timeout is 30 s (workflows/redmine-sync.ts) and the idle wait may be up to 300 s. */
export const BEAT_EVERY_MS = 10_000;

export function createPollSteps(
  { db, redmine }: Pick<RedmineActivityDeps, 'db' | 'redmine'>,
  syncIssue: (ctx: RedmineMirrorContext, issueId: number) => Promise<'mirrored' | 'skipped'>,
  liveIssueIds: () => Promise<number[]> = () => liveMirroredIssueIds(db),
  lookedMsAgo: () => Promise<number | null> = () => clientLookedMsAgo(db),
  beatEveryMs = BEAT_EVERY_MS,
) {
  /** When a client page was last served (ms ago); a database that does not answer: unknown. */
  const sinceLook = (watchMs: number): Promise<number | null> =>
    watchMs > 0 ? lookedMsAgo().catch(() => null) : Promise.resolve(null);
  return {
    /**
     * Polls Redmine for a while (heartbeating its state), mirroring changed issues within a
     * poll and re-reading live conversations now and then: a note edited or made private does
     * not change `updated_on`, so no poll on it would ever see that.
     */
    async syncRedmine(input: SyncInput): Promise<SyncState> {
      if (!redmine) return input;
      const context = Context.current();
      const resumed = (context.info.heartbeatDetails as SyncState | undefined) ?? input;
      const pace: PollPace = {
        pollMs: input.pollMs,
        idlePollMs: input.idlePollMs ?? input.pollMs,
        activeMs: input.activeMs ?? 0,
        watchMs: input.watchMs ?? 0,
      };
      const watchMs = pace.watchMs ?? 0;
      const concurrency = Math.max(1, input.concurrency ?? 4);
      let cursor = resumed.cursor ? new Date(resumed.cursor) : new Date(Date.now() - 24 * 3600_000);
      // The start of the last complete rescan round; a round cut short by a retry starts again.
      let lastRescan = resumed.lastRescanAt ? new Date(resumed.lastRescanAt) : new Date(0);
      let lastChangeAt = resumed.lastChangeAt ? Date.parse(resumed.lastChangeAt) : 0;
      // Redmine's `>=` is a second lenient, so the newest issues come back on every poll: one
      // already read at this very `updated_on` is not read again once that second is well over.
      const readAt = new Map<number, { updatedOn: number; readAt: number }>(
        (resumed.seen ?? []).map(([id, updatedOn, at]) => [id, { updatedOn, readAt: at }]),
      );
      let rescanQueue: number[] = [];
      let roundStartedAt = lastRescan;
      let wait = Date.now() - lastChangeAt < pace.activeMs ? pace.pollMs : Math.max(pace.pollMs, pace.idlePollMs);
      const state = (): SyncState => ({
        cursor: cursor.toISOString(),
        lastRescanAt: lastRescan.toISOString(),
        ...(lastChangeAt > 0 ? { lastChangeAt: new Date(lastChangeAt).toISOString() } : {}),
        seen: [...readAt].map(([id, s]) => [id, s.updatedOn, s.readAt]),
      });
      /**
       * The wait until the next poll. While backing off, a client who starts looking ends it:
       * the watch (one PostgreSQL row, no Redmine request) is read again every `pollMs`.
       */
      let lastBeat = Date.now();
      const beat = () => {
        context.heartbeat(state());
        lastBeat = Date.now();
      };
      const pause = async (ms: number): Promise<'waited' | 'looked'> => {
        const end = Date.now() + ms;
        const watching = watchMs > 0 && wait > pace.pollMs;
        // A wait longer than the heartbeat timeout would have the poll timed out and retried,
        // with a back-off during which nothing polls: it heartbeats on the way.
        const step = watching ? Math.min(pace.pollMs, beatEveryMs) : beatEveryMs;
        for (;;) {
          const left = end - Date.now();
          if (left <= 0) return 'waited';
          await context.sleep(Math.min(left, step));
          if (Date.now() - lastBeat >= beatEveryMs) beat();
          if (end - Date.now() <= 0) return 'waited';
          if (!watching) continue;
          const ago = await sinceLook(watchMs);
          if (ago !== null && ago < watchMs) return 'looked';
        }
      };
      const until = Date.now() + input.runForMs;
      while (Date.now() < until) {
        const pollStarted = Date.now();
        // The last look is read at the same time as the list: it adds no wait to the poll.
        const [changed, lookedAgo] = await Promise.all([
          redmine.client.listIssuesUpdatedSince(new Date(cursor.getTime() - 1000), redmine.projectIds),
          sinceLook(watchMs),
        ]);
        const lookedAt = lookedAgo === null ? null : pollStarted - lookedAgo;
        const toRead: { id: number; updatedOn: number }[] = [];
        for (const issue of changed) {
          const need = needsRead(readAt.get(issue.id), issue.updatedOn.getTime());
          if (need === 'no') continue;
          if (need === 'changed') lastChangeAt = pollStarted;
          toRead.push({ id: issue.id, updatedOn: issue.updatedOn.getTime() });
        }
        if (rescanQueue.length === 0 && pollStarted - lastRescan.getTime() >= input.rescanMs) {
          rescanQueue = await liveIssueIds();
          roundStartedAt = new Date(pollStarted);
          if (rescanQueue.length === 0) lastRescan = roundStartedAt;
        }
        const rescanNow = rescanQueue.splice(0, rescanShare(rescanQueue.length, wait, input.rescanMs));
        const listed = new Set(toRead.map((i) => i.id));
        const reads = [
          ...toRead.map((issue) => async () => {
            const readTime = Date.now();
            await syncIssue(redmine, issue.id);
            readAt.set(issue.id, { updatedOn: issue.updatedOn, readAt: readTime });
          }),
          ...rescanNow.filter((id) => !listed.has(id)).map((id) => () => syncIssue(redmine, id).then(() => undefined)),
        ];
        // A failure fails the activity; the cursor stays where it was, the retry reads again.
        await inParallel(reads, concurrency, (read) => read());
        for (const issue of toRead) if (issue.updatedOn > cursor.getTime()) cursor = new Date(issue.updatedOn);
        if (rescanNow.length > 0 && rescanQueue.length === 0) lastRescan = roundStartedAt;
        // Issues older than the overlap of the list's `>=` will not be listed again unless changed.
        for (const [id, s] of readAt) if (s.updatedOn < cursor.getTime() - SAME_SECOND_MS) readAt.delete(id);
        beat();
        wait = nextPollWait(wait, Date.now() - lastChangeAt, pace, lookedAt === null ? null : Date.now() - lookedAt);
        const toEnd = until - Date.now();
        const left = Math.min(wait - (Date.now() - pollStarted), toEnd);
        let ended: 'waited' | 'looked' = 'waited';
        if (left > 0) {
          try {
            ended = await pause(left);
          } catch (err) {
            // Cancelled between polls (new settings, the worker stopping): the state is whole here,
            // so the workflow gets it and the next round resumes from it.
            if (err instanceof CancelledFailure) return state();
            throw err;
          }
        }
        // The wait ran to the end of the run: the next poll is the next run's first. (A timer may
        // fire a millisecond early; polling again in that millisecond would be a wasted request.)
        if (left === toEnd && ended === 'waited') break;
      }
      return state();
    },
  };
}
