// A Guichet worker for workflow tests: the run's workflow bundle, no Redmine, no-op signals and
// a throw-away storage directory; the Temporal runtime installed once per process.
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { DefaultLogger, Runtime, type NativeConnection, type Worker } from '@temporalio/worker';
import type { Mailer } from '../../connectors/mail/index.js';
import { createFileStorage } from '../../app/file-storage.js';
import type { Db } from '../../db/connect.js';
import { createGuichetWorker } from '../../runtime/worker.js';

export function installTestRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // installed by another suite in this process
  }
}

export function createTestWorker(options: {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  db: Db;
  mailer: Mailer;
}): Promise<Worker> {
  installTestRuntime();
  return createGuichetWorker({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    deps: {
      db: options.db,
      mailer: options.mailer,
      publicUrl: 'http://guichet.test',
      redmine: undefined,
      signals: { staffAnswer: () => Promise.resolve(), askSatisfaction: () => Promise.resolve() },
      storage: createFileStorage(path.join(os.tmpdir(), 'guichet-workflow-test-files')),
    },
    workflowBundle: { code: inject('workflowBundleCode') },
  });
}
