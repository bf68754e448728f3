// A Guichet worker for workflow tests: the run's workflow bundle, no Redmine, no-op signals, the
// answer notifier on the given Temporal client (grace 0 by default), the development SMS outbox and
// a throw-away storage directory; the Temporal runtime installed once per process.
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { DefaultLogger, Runtime, type NativeConnection, type Worker } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
import { createDevelopmentSmsProvider } from '../../connectors/sms/index.js';
import { recordDevSms } from '../../db/dev-outbox.js';
import { createTemporalGateway } from '../../temporal/gateway.js';
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
  /** The client the notifier is started with: the time-skipping environment's, else the dev server's. */
  client?: Client;
  /** NOTIFY_GRACE_SECONDS: 0 (answers told at once, still through the notifier) unless a test says. */
  notifyGraceSeconds?: number;
}): Promise<Worker> {
  installTestRuntime();
  const client =
    options.client ??
    new Client({
      connection: Connection.lazy({ address: inject('temporalAddress') }),
      namespace: options.namespace ?? 'default',
    });
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
      notifier: createTemporalGateway(client, options.taskQueue),
      notifyGraceSeconds: options.notifyGraceSeconds ?? 0,
      sms: createDevelopmentSmsProvider((message) => recordDevSms(options.db, message)),
      storage: createFileStorage(path.join(os.tmpdir(), 'guichet-workflow-test-files')),
    },
    workflowBundle: { code: inject('workflowBundleCode') },
  });
}
