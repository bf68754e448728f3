// The Guichet Temporal worker: its activities, and its workflows from the build's prebuilt
// bundle, a given bundle (tests), or else bundled from the sources at start-up; its cache and
// concurrency sized from the memory and bursts it is given (workerTuning).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';

/** Compiled (dist/runtime/worker.js), this module's workflows are dist/workflows/index.js. */
const COMPILED = import.meta.url.endsWith('.js');

export const WORKFLOWS_PATH = fileURLToPath(
  new URL(COMPILED ? '../workflows/index.js' : '../workflows/index.ts', import.meta.url),
);

/** Written by `npm run build` (scripts/build.mjs) beside the compiled code: dist/workflow-bundle.js. */
export const PREBUILT_BUNDLE_PATH = fileURLToPath(new URL('../workflow-bundle.js', import.meta.url));

export interface GuichetWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests bundle once); else the build's bundle, else workflows/ bundled here. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Cache and concurrency (workerTuning); the SDK's defaults when absent (tests). */
  tuning?: WorkerTuning;
}

/** The worker options sized from the configuration. */
export type WorkerTuning = Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentLocalActivityExecutions'
>;

/** What the process holds besides its cached workflows (Node, the SDK's core, the bundle, pools). */
export const WORKER_BASE_MB = 300;
/** What one cached workflow costs in process RSS (its context in the shared V8 isolate, its state,
 * the core's copy of its history, and the garbage V8 keeps between collections): 1,000 live
 * conversations took the bench's process from 253 MB to 785 MB, and at the reminders' burst
 * (every cached conversation woken at once) a full cache of 1,482 took it from 240 MB to
 * 1,045 MB, about 550 KB each (bench/sla-scale.ts, bench/README.md); 650 leaves room for that. */
export const CACHED_WORKFLOW_KB = 650;

/** V8's old space as a share of the worker's memory budget, in tenths: scripts/start-worker.sh
 * starts the worker with `--max-old-space-size` = WORKER_MEMORY_MB × 6 / 10, the rest being the
 * SDK's core (histories, its own caches), the code and V8's young generation. */
export const WORKER_HEAP_TENTHS = 6;

/** The `--max-old-space-size` (MB) for a worker given `memoryMb` (as scripts/start-worker.sh). */
export function workerHeapLimitMb(memoryMb: number): number {
  return Math.floor((memoryMb * WORKER_HEAP_TENTHS) / 10);
}

/**
 * Why a worker's V8 heap limit does not fit its budget, or undefined when it does: without the
 * bound V8 sizes its heap from the machine (about 4 GB on 24 GB) and keeps evicted workflows'
 * contexts as garbage, so RSS grows far past `memoryMb`. `heapLimitBytes` is
 * v8.getHeapStatistics().heap_size_limit (old space plus V8's young generation and overhead).
 */
export function heapLimitAdvice(memoryMb: number, heapLimitBytes: number): string | undefined {
  const limitMb = heapLimitBytes / (1024 * 1024);
  // heap_size_limit adds the young generation (tens of MB) to --max-old-space-size.
  if (limitMb <= memoryMb) return undefined;
  return (
    `V8's heap limit is ${Math.round(limitMb)} MB, above WORKER_MEMORY_MB (${memoryMb} MB): start the worker ` +
    `with node --max-old-space-size=${workerHeapLimitMb(memoryMb)} (npm run worker, scripts/start-worker.sh)`
  );
}

/**
 * The workflow cache and task concurrency for a worker given `memoryMb`: the cache holds what
 * fits after the base (at least 100), so that idle conversations are evicted and replayed on
 * wake-up instead of growing the process with every live clock; `cachedWorkflows` overrides it.
 */
export function workerTuning(input: {
  memoryMb: number;
  cachedWorkflows?: number;
  workflowTasks: number;
  activities: number;
}): WorkerTuning {
  const fits = Math.floor(((input.memoryMb - WORKER_BASE_MB) * 1024) / CACHED_WORKFLOW_KB);
  const maxCachedWorkflows = input.cachedWorkflows ?? Math.max(100, fits);
  return {
    maxCachedWorkflows,
    // The SDK refuses more concurrent workflow tasks than cached workflows (unless the cache is off).
    maxConcurrentWorkflowTaskExecutions:
      maxCachedWorkflows === 0 ? input.workflowTasks : Math.max(2, Math.min(input.workflowTasks, maxCachedWorkflows)),
    maxConcurrentActivityTaskExecutions: input.activities,
    maxConcurrentLocalActivityExecutions: input.activities,
  };
}

/** Which workflow code the worker runs: given, prebuilt by the build, or bundled at start-up. */
export function workflowSource(
  given: WorkerOptions['workflowBundle'] | undefined,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  if (given) return { workflowBundle: given };
  if (COMPILED && existsSync(PREBUILT_BUNDLE_PATH)) return { workflowBundle: { codePath: PREBUILT_BUNDLE_PATH } };
  return { workflowsPath: WORKFLOWS_PATH };
}

export function createGuichetWorker(options: GuichetWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    ...workflowSource(options.workflowBundle),
    ...options.tuning,
  });
}
