// The Guichet Temporal worker: its activities, and its workflows from the build's prebuilt
// bundle, a given bundle (tests), or else bundled from the sources at start-up.
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
  });
}
