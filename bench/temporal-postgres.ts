// A Temporal server with PostgreSQL persistence for the benches (bench/sla-scale.ts
// --temporal=postgres): the binaries built by scripts/install-temporal-server.sh (go install, cached
// under .cache/temporal-server/), two fresh databases on the test PostgreSQL (history and
// visibility, schemas from the tool's embedded copies), a config file in a temporary directory,
// every port free on loopback, the `default` namespace registered. stop() ends the server and
// drops both databases.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { portInUse } from '../runtime/ports.js';
import { PROJECT_ROOT } from '../runtime/temporal-dev-server.js';

const run = promisify(execFile);

export interface PostgresTemporal {
  address: string;
  /** The server's own log (for a failed start). */
  logFile: string;
  stop(): Promise<void>;
}

/** Builds (once) or finds the server and its schema tool. */
async function install(): Promise<{ server: string; sqlTool: string }> {
  const script = path.join(PROJECT_ROOT, 'scripts', 'install-temporal-server.sh');
  const { stdout } = await run('bash', [script], { maxBuffer: 1 << 20, timeout: 60 * 60_000 });
  const value = (key: string) => {
    const line = stdout.split('\n').find((l) => l.startsWith(`${key}=`));
    if (!line) throw new Error(`${script} did not print ${key}`);
    return line.slice(key.length + 1);
  };
  return { server: value('TEMPORAL_SERVER_PATH'), sqlTool: value('TEMPORAL_SQL_TOOL_PATH') };
}

async function waitForFrontend(address: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** `count` consecutive free loopback ports below 32768: the server records its services' ports in
 * cluster_membership.rpc_port, a PostgreSQL smallint (an ephemeral port such as 46571 fails with
 * "value out of range for type smallint" and the server exits). */
async function lowPorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    const used = await Promise.all(ports.map((p) => portInUse(p)));
    if (!used.some(Boolean)) return ports;
  }
  throw new Error('no free range of loopback ports below 32768');
}

/** Connections of the history store's pool, and the history service's task workers per queue. */
const HISTORY_POOL = 20;
/** Persistence operations each history shard runs at once (Temporal's default). */
const SHARD_IO = 1;

export async function startPostgresTemporal(options: {
  adminUrl: string;
  dir: string;
  cliPath: string | undefined;
  /** History shards: the unit of the server's parallelism. */
  shards?: number;
  /** Persistence operations a shard runs at once (Temporal's default: 1). */
  shardIO?: number;
}): Promise<PostgresTemporal> {
  const { server, sqlTool } = await install();
  const url = new URL(options.adminUrl);
  const suffix = `${Date.now()}_${randomBytes(3).toString('hex')}`;
  const databases = { history: `temporal_bench_${suffix}`, visibility: `temporal_bench_vis_${suffix}` };
  const sqlArgs = (db: string) => [
    '--ep',
    url.hostname,
    '-p',
    url.port || '5432',
    '-u',
    decodeURIComponent(url.username),
    '--pw',
    decodeURIComponent(url.password),
    '--pl',
    'postgres12',
    '--db',
    db,
  ];
  const dropDatabases = async () => {
    const admin = new pg.Client({ connectionString: options.adminUrl });
    await admin.connect();
    try {
      for (const db of Object.values(databases)) await admin.query(`drop database if exists ${db} with (force)`);
    } finally {
      await admin.end();
    }
  };
  for (const [db, schema] of [
    [databases.history, 'postgresql/v12/temporal'],
    [databases.visibility, 'postgresql/v12/visibility'],
  ] as const) {
    await run(sqlTool, [...sqlArgs(db), 'create-database']);
    await run(sqlTool, [...sqlArgs(db), 'setup-schema', '-v', '0.0']);
    await run(sqlTool, [...sqlArgs(db), 'update-schema', '--schema-name', schema]);
  }

  const [frontend, frontendHttp, frontendM, history, historyM, matching, matchingM, worker, workerM, metrics] =
    await lowPorts(10);
  const store = (db: string, conns: number) => `
      sql:
        pluginName: "postgres12"
        databaseName: "${db}"
        connectAddr: "${url.hostname}:${url.port || '5432'}"
        connectProtocol: "tcp"
        user: "${decodeURIComponent(url.username)}"
        password: "${decodeURIComponent(url.password)}"
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: "1h"`;
  // development-postgres12.yaml of the server's repository, with our ports, no archival and no pprof.
  const config = `log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${options.shards ?? 4}
  datastores:
    postgres-default:${store(databases.history, HISTORY_POOL)}
    postgres-visibility:${store(databases.visibility, 4)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:${metrics}"
services:
  frontend:
    rpc: { grpcPort: ${frontend}, membershipPort: ${frontendM}, bindOnLocalHost: true, httpPort: ${frontendHttp} }
  matching:
    rpc: { grpcPort: ${matching}, membershipPort: ${matchingM}, bindOnLocalHost: true }
  history:
    rpc: { grpcPort: ${history}, membershipPort: ${historyM}, bindOnLocalHost: true }
  worker:
    rpc: { grpcPort: ${worker}, membershipPort: ${workerM}, bindOnLocalHost: true }
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${frontend}"
dcRedirectionPolicy:
  policy: "noop"
`;
  // The history service runs up to 512 timer (and transfer) tasks at once by default, against a
  // pool of 20 connections: when 10,000 timers fired together each task waited for a connection
  // past its deadline ("context deadline exceeded", 46,519 in one 10,000 run) and was retried, so
  // the reminders drained at 2.5 a second. Bounded to the pool, the tasks queue instead of failing.
  const dynamicConfig =
    ['timer', 'transfer', 'visibility']
      .map(
        (queue) => `history.${queue}ProcessorSchedulerWorkerCount:\n  - value: ${HISTORY_POOL}\n    constraints: {}\n`,
      )
      .join('') +
    // Persistence operations a shard runs at once (history.shardIOConcurrency, Temporal's default
    // 1). While conversations start, its semaphore_latency showed 300 ms waits at 160 operations/s;
    // 5 (the pool shared by the 4 shards) changed neither the start rate nor the reminders' drain
    // at 2,000, both bound by CPU on 2 cores (bench/README.md), so the default stays.
    `history.shardIOConcurrency:\n  - value: ${options.shardIO ?? SHARD_IO}\n    constraints: {}\n`;
  const dynamicConfigFile = path.join(options.dir, 'temporal-postgres-dynamic.yaml');
  await writeFile(dynamicConfigFile, dynamicConfig);
  const configFile = path.join(options.dir, 'temporal-postgres.yaml');
  await writeFile(
    configFile,
    `${config}dynamicConfigClient:\n  filepath: "${dynamicConfigFile}"\n  pollInterval: "60s"\n`,
  );
  const logFile = path.join(options.dir, 'temporal-postgres.log');
  const out = createWriteStream(logFile);
  const child = spawn(server, ['--config-file', configFile, '--allow-no-auth', 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const address = `127.0.0.1:${frontend}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
    out.end();
    await dropDatabases();
  };
  try {
    // The plain server starts with no namespace: register `default` with the CLI.
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        await run(options.cliPath ?? 'temporal', [
          'operator',
          'namespace',
          'create',
          '--namespace',
          'default',
          '--retention',
          '1d',
          '--address',
          address,
        ]);
        break;
      } catch (err) {
        const text = String((err as { stderr?: string }).stderr ?? err);
        if (text.includes('already') || text.includes('AlreadyExists')) break;
        if (child.exitCode !== null) throw new Error(`the Temporal server exited (${child.exitCode}); see ${logFile}`);
        if (Date.now() > deadline) throw new Error(`could not register the namespace: ${text.slice(0, 500)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    await waitForFrontend(address, Date.now() + 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, logFile, stop };
}
