// Start-up time and memory of the built processes (`node dist/…`, what `npm run server` and
// `npm run worker` run) beside the same processes run from the sources through tsx (`node
// --import tsx …`, one process, as `npm start` runs), in the same run, on the same
// configuration: a fresh PostgreSQL database and a Temporal dev server of its own.
//
//   npm run bench:startup            (builds dist/ first)
//   npx tsx bench/startup.ts [--rounds=3]
//
// Ready: the server when GET /health answers 200; the worker when it logs "worker running"
// (its workflows are loaded and it polls). RSS: the largest VmRSS read from /proc over the
// 3 s after ready (the process alone, no child). Rounds alternate the variants.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { migrateToLatest, openDatabase } from '../db/connect.js';
import { freePort } from '../runtime/ports.js';
import { startDevServer } from '../runtime/temporal-dev-server.js';
import { loadServicesEnv } from '../tests/helpers/services-env.js';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

interface Variant {
  name: string;
  role: 'server' | 'worker';
  args: string[];
}

const VARIANTS: Variant[] = [
  { name: 'server, built', role: 'server', args: ['dist/http-server.js'] },
  { name: 'server, tsx', role: 'server', args: ['--import', 'tsx', 'http-server.ts'] },
  { name: 'worker, built', role: 'worker', args: ['dist/worker.js'] },
  { name: 'worker, tsx', role: 'worker', args: ['--import', 'tsx', 'worker.ts'] },
];

function option(name: string, fallback: string): string {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Resolves when the line appears on the child's stdout; rejects when it exits first. */
function waitForLine(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      if (buffered.includes(text)) resolve();
      buffered = buffered.slice(-4096);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before "${text}"`)));
  });
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error('the server exited before answering /health');
    try {
      if ((await fetch(`${url}/health`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

async function measure(variant: Variant, env: NodeJS.ProcessEnv): Promise<{ readyMs: number; rssMb: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, variant.args, {
    cwd: ROOT,
    env: { ...env, PORT: String(port), TEMPORAL_TASK_QUEUE: `bench-${randomBytes(4).toString('hex')}` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    if (variant.role === 'server') await waitForHealth(`http://127.0.0.1:${port}`, child);
    else await waitForLine(child, '"msg":"worker running"');
    const readyMs = performance.now() - started;
    let peak = 0;
    for (let i = 0; i < 30; i++) {
      peak = Math.max(peak, await rssMb(child.pid!));
      await sleep(100);
    }
    return { readyMs, rssMb: peak };
  } finally {
    await stop(child);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  loadServicesEnv();
  if (!existsSync(path.join(ROOT, 'dist/http-server.js'))) throw new Error('dist/ is missing: npm run build first');
  const rounds = Number(option('rounds', '3'));
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set (bash scripts/provision.sh)');

  const dbName = `guichet_bench_startup_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'guichet-bench-startup-'));
  const temporal = await startDevServer({
    dataDir: tmp,
    dbDir: tmp,
    port: await freePort(),
    uiPort: 0,
    headless: true,
    namespace: 'default',
    logger: pino({ level: 'silent' }),
    cliPath: process.env.TEMPORAL_CLI_PATH,
  });
  try {
    // Migrated once, so that no variant pays for the migrations.
    const database = await openDatabase({ url: url.toString() });
    await migrateToLatest(database.db);
    await database.close();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      DATABASE_URL: url.toString(),
      TEMPORAL_ADDRESS: temporal.address,
      HOST: '127.0.0.1',
      DATA_DIR: tmp,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DEMO_DATA: 'false',
      LOG_LEVEL: 'info',
    };
    const results = new Map<string, Array<{ readyMs: number; rssMb: number }>>();
    for (let round = 0; round < rounds; round++) {
      for (const variant of VARIANTS) {
        const result = await measure(variant, env);
        results.set(variant.name, [...(results.get(variant.name) ?? []), result]);
        process.stderr.write(
          `round ${round + 1} ${variant.name}: ready ${result.readyMs.toFixed(0)} ms, RSS ${result.rssMb.toFixed(0)} MB\n`,
        );
      }
    }
    process.stdout.write(
      `\nStart-up, median of ${rounds} rounds (node ${process.version}, ${os.cpus().length} cores)\n`,
    );
    process.stdout.write('| process | ready (ms) | RSS after start (MB) |\n|---|---:|---:|\n');
    for (const [name, runs] of results) {
      process.stdout.write(
        `| ${name} | ${median(runs.map((r) => r.readyMs)).toFixed(0)} | ${median(runs.map((r) => r.rssMb)).toFixed(0)} |\n`,
      );
    }
  } finally {
    await temporal.stop();
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
