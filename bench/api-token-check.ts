// What the limit on refused integration API tokens (server/plugins/access.ts) costs: latency and
// requests per second of a valid token's `GET /api/v1/changes?limit=1`, and of a wrong token's
// refusal, under autocannon. Run it on two commits to compare (the valid token's path does no
// extra work by design; the refused path counts the refusal in PostgreSQL).
//
// A database of its own on TEST_DATABASE_URL (dropped after), a Temporal dev server of its own
// (startSystem starts one without TEMPORAL_ADDRESS), the server role only; the load generator
// runs in this process.
//
//   npx tsx bench/api-token-check.ts [--duration=10] [--connections=10]
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { startSystem } from '../runtime/system.js';
import { makeToken } from '../tests/api/api-client.js';
import { createStaff } from '../tests/helpers/fixtures.js';
import { loadServicesEnv, required } from '../tests/helpers/services-env.js';

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = Number(arg ? arg.split('=')[1] : fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

async function run(url: string, token: string, duration: number, connections: number) {
  const result = await autocannon({
    url: `${url}/api/v1/changes?limit=1`,
    headers: { authorization: `Bearer ${token}` },
    duration,
    connections,
  });
  const statuses = Object.entries(result.statusCodeStats ?? {})
    .map(([code, s]) => `${code}×${s.count}`)
    .join(' ');
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: Math.round(result.latency.average * 100) / 100,
    statuses,
  };
}

async function main() {
  loadServicesEnv();
  const duration = option('duration', 10);
  const connections = option('connections', 10);
  const adminUrl = required('TEST_DATABASE_URL', 'a PostgreSQL server (bash scripts/provision.sh)');
  const dbName = `guichet_bench_tokens_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const pgAdmin = new pg.Client({ connectionString: adminUrl });
  await pgAdmin.connect();
  await pgAdmin.query(`create database ${dbName}`);
  await pgAdmin.end();
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'guichet-bench-tokens-'));
  const system = await startSystem({
    config: loadConfig({
      DATABASE_URL: dbUrl.toString(),
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DEMO_DATA: 'false',
      LOG_LEVEL: 'silent',
    }),
    server: true,
    worker: false,
    logger: pino({ level: 'silent' }),
  });
  try {
    const address = system.app!.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const admin = (await createStaff(system.database.db, { admin: true, spaces: 'all' })).account;
    const { token } = await makeToken(system.database.db, admin, { scope: 'read', spaces: 'all' });
    // Warm-up, not counted.
    await run(url, token, 3, connections);
    const valid = await run(url, token, duration, connections);
    const wrong = await run(url, `gch_${randomBytes(32).toString('base64url')}`, duration, connections);
    process.stdout.write(
      [
        `npx tsx bench/api-token-check.ts --duration=${duration} --connections=${connections}`,
        `valid token : ${valid.rps} req/s, latency mean ${valid.mean} ms, p50 ${valid.p50} ms, p99 ${valid.p99} ms (${valid.statuses})`,
        `wrong token : ${wrong.rps} req/s, latency mean ${wrong.mean} ms, p50 ${wrong.p50} ms, p99 ${wrong.p99} ms (${wrong.statuses})`,
        '',
      ].join('\n'),
    );
  } finally {
    await system.stop();
    await rm(dataDir, { recursive: true, force: true });
    const drop = new pg.Client({ connectionString: adminUrl });
    await drop.connect();
    await drop.query(`drop database if exists ${dbName} with (force)`);
    await drop.end();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
