// One Vilogi sync run (started by the schedule every VILOGI_SYNC_MINUTES, or by "sync now"):
// list the pending extranet requests, import each (a conversation whose issue the conversation
// workflow creates, or a triage issue), process each notification with the event model
// "Espace client", send staff answers on triage issues back to Vilogi, record the run.
// Exactly once per request comes from the activities (the Vilogi id is a unique key); this
// workflow only repeats what failed, with Temporal timers between rounds. Requests go in pages
// of PAGE, SIDE_BY_SIDE pages at once, each page importing and processing a few requests at a
// time (VILOGI_IMPORT_CONCURRENCY shared among the pages); one request is one conversation whose
// first message is written with it, so no ordering is lost by running requests side by side.
import { ActivityFailure, patched, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities, ImportResult, ProcessResultItem } from '../activities/index.js';

export interface VilogiSyncInput {
  trigger?: 'schedule' | 'manual';
}

export interface VilogiSyncResult {
  fetched: number;
  created: number;
  known: number;
  triage: number;
  failed: number;
  processed: number;
  replies: number;
}

/** The schedule's id (one per deployment, i.e. per task queue). */
export function vilogiScheduleId(taskQueue: string): string {
  return `vilogi-sync-${taskQueue}`;
}

/** Before pages (runs started before that change replay with these). */
const BATCH = 20;
const PARALLEL_BATCHES = 4;
/** Requests per activity, and activities at once: a slow request holds back one page only. */
const PAGE = 100;
const SIDE_BY_SIDE = 2;
const ROUNDS = 8;
/** How long a run waits for the conversation workflows to create the issues it imported. */
const WAIT_FOR_ISSUES_MS = 10 * 60_000;

const { startVilogiRun, finishVilogiRun } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 20 },
});
const { listVilogiPending, importVilogiRequests, processVilogiRequests, postVilogiReplies } =
  proxyActivities<Activities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', backoffCoefficient: 2, maximumAttempts: 10 },
  });

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs pages, SIDE_BY_SIDE at a time, each started as soon as one ends. */
async function inPages<R>(ids: string[], step: (page: string[]) => Promise<R[]>): Promise<R[]> {
  const pages = chunks(ids, PAGE);
  const out = new Array<R[]>(pages.length);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < pages.length) {
      const i = next++;
      out[i] = await step(pages[i]!);
    }
  }
  await Promise.all(Array.from({ length: Math.min(SIDE_BY_SIDE, pages.length) }, lane));
  return out.flat();
}

/** Among how many pages at once the concurrency is shared: a run of one page has it all. */
function sharing(ids: string[]): number {
  return Math.max(1, Math.min(SIDE_BY_SIDE, Math.ceil(ids.length / PAGE)));
}

/** Runs batches, a few at a time (runs started before pages). */
async function inBatches<R>(ids: string[], step: (batch: string[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  const batches = chunks(ids, BATCH);
  for (let i = 0; i < batches.length; i += PARALLEL_BATCHES) {
    const results = await Promise.all(batches.slice(i, i + PARALLEL_BATCHES).map(step));
    for (const r of results) out.push(...r);
  }
  return out;
}

// Long as a whole: one run's steps in order, with the counts they share.
export async function vilogiSyncWorkflow(input: VilogiSyncInput = {}): Promise<VilogiSyncResult> {
  const runId = workflowInfo().workflowId;
  await startVilogiRun({ runId, trigger: input.trigger ?? 'schedule' });
  const counts: VilogiSyncResult = { fetched: 0, created: 0, known: 0, triage: 0, failed: 0, processed: 0, replies: 0 };
  const errors = new Map<string, string>();
  try {
    const ids = await listVilogiPending();
    counts.fetched = ids.length;

    // Import (and, in pages, process at once what can be), repeating the failures (a flaky
    // gateway) after a growing pause.
    const paged = patched('vilogi-pages');
    const settled = new Set<string>();
    let todo = ids;
    for (let round = 0; round < ROUNDS && todo.length > 0; round++) {
      if (round > 0) await sleep(Math.min(1000 * 2 ** (round - 1), 30_000));
      const share = sharing(todo);
      const results: ImportResult[] = paged
        ? await inPages(todo, (page) => importVilogiRequests({ runId, ids: page, process: true, share }))
        : await inBatches(todo, (batch) => importVilogiRequests({ runId, ids: batch }));
      todo = [];
      for (const r of results) {
        if (r.outcome === 'failed') {
          todo.push(r.id);
          errors.set(r.id, r.error ?? 'failed');
        } else {
          errors.delete(r.id);
          if (r.outcome === 'created') counts.created++;
          else if (r.outcome === 'triage') counts.triage++;
          else counts.known++;
          if (r.processed === 'processed' || r.processed === 'already') {
            settled.add(r.id);
            if (r.processed === 'processed') counts.processed++;
          }
        }
      }
    }
    const importFailed = new Set(todo);

    // Process the notifications of what was imported (now or by an earlier run). A request whose
    // issue the conversation workflow has not created yet is asked again after a short pause, for
    // at most WAIT_FOR_ISSUES_MS; failures back off like the imports. What is left stays pending
    // in Vilogi and the next run takes it up.
    let toProcess = ids.filter((id) => !importFailed.has(id) && !settled.has(id));
    const waitUntil = Date.now() + WAIT_FOR_ISSUES_MS;
    let failureRounds = 0;
    while (toProcess.length > 0) {
      const share = sharing(toProcess);
      const results: ProcessResultItem[] = paged
        ? await inPages(toProcess, (page) => processVilogiRequests({ ids: page, share }))
        : await inBatches(toProcess, (batch) => processVilogiRequests({ ids: batch }));
      toProcess = [];
      let failures = false;
      for (const r of results) {
        if (r.outcome === 'failed' || r.outcome === 'waiting') {
          toProcess.push(r.id);
          failures ||= r.outcome === 'failed';
          errors.set(r.id, r.error ?? 'Redmine issue not created yet');
        } else {
          errors.delete(r.id);
          if (r.outcome === 'processed') counts.processed++;
        }
      }
      if (toProcess.length === 0) break;
      if (failures) failureRounds++;
      if (failureRounds >= ROUNDS || Date.now() > waitUntil) break;
      await sleep(failures ? Math.min(1000 * 2 ** (failureRounds - 1), 30_000) : 2000);
    }
    counts.failed = new Set([...importFailed, ...toProcess]).size;

    const replies = await postVilogiReplies();
    counts.replies = replies.posted;
    const errorList: { requestId: string | null; message: string }[] = [...errors].map(([requestId, message]) => ({
      requestId,
      message,
    }));
    for (const e of replies.errors) errorList.push(e);
    await finishVilogiRun({ runId, status: 'done', counts, errors: errorList });
    return counts;
  } catch (err) {
    const text =
      err instanceof ActivityFailure
        ? (err.cause?.message ?? err.message)
        : err instanceof Error
          ? err.message
          : String(err);
    await finishVilogiRun({
      runId,
      status: 'failed',
      counts,
      errors: [
        ...[...errors].map(([requestId, message]) => ({ requestId, message })),
        { requestId: null, message: text },
      ],
    });
    throw err;
  }
}
