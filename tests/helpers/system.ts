// The whole system (server + worker) against the run's PostgreSQL and Temporal, one task queue
// per call so that test files do not steal each other's tasks.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import pino from 'pino';
import { loadConfig, type Config } from '../../config.js';
import { startSystem, type RunningSystem } from '../../runtime/system.js';

export async function testConfig(overrides: Record<string, string> = {}): Promise<Config> {
  return loadConfig({
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(4).toString('hex')}`,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'guichet-test-')),
    SESSION_SECRET: randomBytes(32).toString('hex'),
    DEMO_DATA: 'false',
    LOG_LEVEL: 'silent',
    // Answers told at once (still through the notifier); the grace window has its own tests.
    NOTIFY_GRACE_SECONDS: '0',
    ...overrides,
  });
}

export async function startTestSystem(
  overrides: Record<string, string> = {},
): Promise<RunningSystem & { url: string }> {
  const config = await testConfig(overrides);
  const system = await startSystem({
    config,
    server: true,
    worker: true,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    workflowBundle: { code: inject('workflowBundleCode') },
  });
  if (!system.url) throw new Error('server did not start');
  // Listening on port 0: the real URL is the bound one, not PUBLIC_URL's default.
  return { ...system, url: system.url };
}
