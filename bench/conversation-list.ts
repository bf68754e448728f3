// Load benchmark of the client conversation list: the HTML page GET /conversations and the JSON
// API GET /api/v1/conversations?limit=50, for one logged-in client with seeded conversations,
// against a fresh PostgreSQL database and against the embedded PGlite database, and, as the
// anchor measured in the same run with the same load, Redmine's own list: GET /issues.json of a
// project of the run's own, with the same page sizes, with the API key of a project member.
//
//   npx tsx bench/conversation-list.ts [--duration=20] [--warmup=3] [--connections=50 | =10,25,50]
//        [--databases=postgres,pglite] [--conversations=50] [--pool-size=N] [--profile=DIR]
//        [--redmine=on|off]
//
// Every option can also be given as an environment variable (BENCH_DURATION, BENCH_WARMUP,
// BENCH_CONNECTIONS, BENCH_DATABASES, BENCH_CONVERSATIONS, BENCH_POOL_SIZE, BENCH_PROFILE,
// BENCH_REDMINE); arguments win. --connections takes one count or a list: each Guichet target is
// measured at each count (latency against concurrency); Redmine's anchor and the goal's ratio use
// the largest. Latency percentiles (p50, p95, p99) are computed from every 2xx response's time as
// autocannon reports it, to 0.1 ms. --profile writes a V8 CPU profile (.cpuprofile) of each server
// process to DIR. --redmine=off leaves the anchor out (no ratio is printed then).
// See bench/README.md for what is measured and the numbers last measured.
//
// The Guichet server (startSystem, server role only, LOG_LEVEL=silent) runs in a child process
// forked from this file, so that the load generator (autocannon, in this process) does not
// share the server's event loop. Everything listens on 127.0.0.1 only; the run is bounded by a
// watchdog; servers, the database and temporary directories are removed at the end, also on
// failure or Ctrl-C. Exit code: 0 when every response was 2xx and no request failed, 1 when a
// run saw non-2xx responses or errors, 2 when the benchmark could not run.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Insertable } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { createHttpClient, type HttpClient } from '../connectors/http.js';
import { migrateToLatest, openDatabase, type Db } from '../db/connect.js';
import type { ConversationStatus, Database } from '../db/database.js';
import { startSystem } from '../runtime/system.js';
import { freePort } from '../runtime/ports.js';
import { PROJECT_ROOT, startDevServer } from '../runtime/temporal-dev-server.js';
import { createClient, createSpace, createStaff } from '../tests/helpers/fixtures.js';
import { csrfToken } from '../tests/helpers/http.js';
import { loadServicesEnv } from '../tests/helpers/services-env.js';

const SELF = fileURLToPath(import.meta.url);
const ROLE_ENV = 'GUICHET_BENCH_ROLE';
const CONFIG_ENV = 'GUICHET_BENCH_CONFIG';
const HTML_PAGE_SIZE = 20; // server/features/client-space/routes.ts PAGE_SIZE
const API_LIMIT = 50;

type DatabaseKind = 'postgres' | 'pglite';

interface Options {
  duration: number;
  warmup: number;
  /** The largest of connectionCounts: the goal's concurrency, and the anchor's. */
  connections: number;
  /** Each Guichet target is measured at each of these, in this order. */
  connectionCounts: number[];
  databases: DatabaseKind[];
  conversations: number;
  poolSize: number | undefined;
  profileDir: string | undefined;
  redmine: boolean;
}

interface Target {
  name: string;
  path: string;
  accept: string;
  /** Items on the page: the anchor reads Redmine's issues.json with the same `limit`. */
  items: number;
}

const TARGETS: Target[] = [
  { name: 'GET /conversations (HTML)', path: '/conversations', accept: 'text/html', items: HTML_PAGE_SIZE },
  {
    name: `GET /api/v1/conversations?limit=${API_LIMIT}`,
    path: `/api/v1/conversations?limit=${API_LIMIT}`,
    accept: 'application/json',
    items: API_LIMIT,
  },
];

/** Redmine's issues.json under the same load: the anchor of the ratio. */
interface AnchorRow {
  limit: number;
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
  hostCpu: number;
  load1: number;
}

interface Row {
  target: string;
  database: DatabaseKind;
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  total: number;
  statusCodes: string;
  serverCpu: number;
  /** The load generator's process (autocannon, this process), % of one core. */
  loaderCpu: number;
  serverLoopUtilization: number;
  serverLoopDelayP99: number;
  serverLoopDelayMax: number;
  serverRssBefore: number;
  serverRssAfter: number;
  serverHeapAfter: number;
  hostCpu: number;
  /** One-minute load average at the end of the measured run. */
  load1: number;
  queriesPerRequest: number;
  bytesPerResponse: number;
  /** Items on the page, to find the anchor with the same `limit`. */
  items: number;
}

/** Messages between this process and the forked server. */
/** stats: counters since the server started; with reset, the event-loop delay histogram restarts. */
type ToServer = { type: 'stats'; id: number; reset: boolean } | { type: 'stop' };
interface ServerStats {
  cpuMicros: number;
  queries: number;
  wallMs: number;
  loopActiveMs: number;
  loopIdleMs: number;
  /** Event-loop delay since the last reset, in ms. */
  loopDelayP99: number;
  loopDelayMax: number;
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
}
type FromServer =
  { type: 'ready'; port: number } | { type: 'failed'; message: string } | ({ type: 'stats'; id: number } & ServerStats);

// ---------------------------------------------------------------------------------------------
// Options

const USAGE = `usage: npx tsx bench/conversation-list.ts [--duration=S] [--warmup=S] [--connections=N[,N…]]
       [--databases=postgres,pglite] [--conversations=N] [--pool-size=N] [--profile=DIR]
       [--redmine=on|off]`;

function positiveInt(name: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new UsageError(`${name} must be an integer from 1 to ${max} (got "${raw}")`);
  return n;
}

class UsageError extends Error {
  override name = 'UsageError';
}

function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const raw: Record<string, string | undefined> = {
    duration: env.BENCH_DURATION,
    warmup: env.BENCH_WARMUP,
    connections: env.BENCH_CONNECTIONS,
    databases: env.BENCH_DATABASES,
    conversations: env.BENCH_CONVERSATIONS,
    'pool-size': env.BENCH_POOL_SIZE,
    profile: env.BENCH_PROFILE,
    redmine: env.BENCH_REDMINE,
  };
  for (const arg of argv) {
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    }
    const match = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (!match || !(match[1]! in raw)) throw new UsageError(`unknown argument: ${arg}\n${USAGE}`);
    raw[match[1]!] = match[2];
  }
  const databases = (raw.databases ?? 'postgres,pglite')
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  for (const d of databases) {
    if (d !== 'postgres' && d !== 'pglite')
      throw new UsageError(`--databases: unknown database "${d}" (postgres, pglite)`);
  }
  if (databases.length === 0) throw new UsageError('--databases: at least one of postgres, pglite');
  const redmine = raw.redmine ?? 'on';
  if (redmine !== 'on' && redmine !== 'off') throw new UsageError(`--redmine must be on or off (got "${redmine}")`);
  const connectionCounts = [
    ...new Set(
      (raw.connections ?? '50')
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean)
        .map((c) => positiveInt('--connections', c, 1000)),
    ),
  ];
  if (connectionCounts.length === 0) throw new UsageError('--connections: at least one count');
  return {
    duration: positiveInt('--duration', raw.duration ?? '20', 600),
    warmup: positiveInt('--warmup', raw.warmup ?? '3', 120),
    connections: Math.max(...connectionCounts),
    connectionCounts,
    databases: [...new Set(databases)] as DatabaseKind[],
    conversations: positiveInt('--conversations', raw.conversations ?? '50', 100_000),
    poolSize: raw['pool-size'] ? positiveInt('--pool-size', raw['pool-size'], 100) : undefined,
    profileDir: raw.profile ? path.resolve(raw.profile) : undefined,
    redmine: redmine === 'on',
  };
}

function commandLine(options: Options): string {
  const flags = [
    `--duration=${options.duration}`,
    `--warmup=${options.warmup}`,
    `--connections=${options.connectionCounts.join(',')}`,
    `--databases=${options.databases.join(',')}`,
    `--conversations=${options.conversations}`,
    ...(options.poolSize ? [`--pool-size=${options.poolSize}`] : []),
    ...(options.profileDir ? [`--profile=${options.profileDir}`] : []),
    `--redmine=${options.redmine ? 'on' : 'off'}`,
  ];
  return `npx tsx bench/conversation-list.ts ${flags.join(' ')}`;
}

// ---------------------------------------------------------------------------------------------
// Cleanup: a stack of undo steps, run in reverse at the end, on failure, on a signal or when the
// watchdog fires. Each step runs once.

type Step = { name: string; run: () => Promise<void>; timeoutMs: number };
const steps: Step[] = [];

function defer(name: string, run: () => Promise<void>, timeoutMs = 30_000): () => Promise<void> {
  const step: Step = { name, run, timeoutMs };
  steps.push(step);
  return async () => {
    const i = steps.indexOf(step);
    if (i < 0) return;
    steps.splice(i, 1);
    await run();
  };
}

let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (steps.length > 0) {
      const step = steps.pop()!;
      try {
        await withTimeout(step.run(), step.timeoutMs, `cleanup: ${step.name}`);
      } catch (err) {
        process.stderr.write(`cleanup: ${step.name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  })();
  return cleaning;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

// ---------------------------------------------------------------------------------------------
// Services

/** A fresh database on the test PostgreSQL server, dropped at cleanup. */
async function createPostgresDatabase(adminUrl: string): Promise<{ url: string; serverVersion: string }> {
  const name = `guichet_bench_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let serverVersion: string;
  try {
    const version = await admin.query<{ server_version: string }>('show server_version');
    serverVersion = version.rows[0]?.server_version ?? 'unknown';
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  defer(`drop database ${name}`, async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(`drop database if exists ${name} with (force)`);
    } finally {
      await c.end();
    }
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), serverVersion };
}

interface SeededClient {
  email: string;
  password: string;
}

/**
 * One space, one staff member, one client with `count` conversations of three messages each:
 * the client's request, the acknowledgement, a staff answer (one in three still unread).
 */
async function seed(db: Db, count: number): Promise<SeededClient> {
  const space = await createSpace(db, 'Gestion locative');
  const { account: client, password } = await createClient(db, { space, name: 'Camille Client' });
  const { account: staff } = await createStaff(db, { name: 'Sam Staff' });
  const statuses: ConversationStatus[] = ['answered', 'waiting_client', 'resolved', 'closed'];
  const body =
    'Bonjour, le radiateur de la chambre ne chauffe plus depuis lundi malgré la purge. ' +
    "Pourriez-vous envoyer quelqu'un cette semaine ? Je suis disponible le matin avant 10 h. Merci d'avance.";
  const now = Date.now();
  const hour = 3_600_000;
  const conversations: Array<Insertable<Database['conversations']>> = [];
  const messages: Array<Insertable<Database['messages']>> = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const asked = new Date(now - (count - i) * 24 * hour);
    const acknowledged = new Date(asked.getTime() + 1_000);
    const answered = new Date(asked.getTime() + 3 * hour);
    conversations.push({
      id,
      space_id: space.id,
      client_account_id: client.id,
      subject: `Demande ${i + 1} : chauffage, appartement 3B`,
      status: statuses[i % statuses.length]!,
      created_at: asked,
      last_message_at: answered,
    });
    const clientMessage = randomUUID();
    messages.push(
      {
        id: clientMessage,
        conversation_id: id,
        author_kind: 'client' as const,
        author_account_id: client.id,
        author_display_name: client.full_name,
        body,
        created_at: asked,
      },
      {
        id: randomUUID(),
        conversation_id: id,
        author_kind: 'system' as const,
        author_account_id: null,
        author_display_name: 'Guichet',
        kind: 'acknowledgement' as const,
        body: 'Nous avons bien reçu votre demande et y répondrons dans les meilleurs délais.',
        idempotency_key: `ack:${clientMessage}`,
        created_at: acknowledged,
      },
      {
        id: randomUUID(),
        conversation_id: id,
        author_kind: 'staff' as const,
        author_account_id: staff.id,
        author_display_name: staff.full_name,
        body: 'Bonjour, un technicien passera jeudi à 9 h. Merci de nous confirmer votre présence. Bien cordialement.',
        created_at: answered,
        read_at: i % 3 === 0 ? null : new Date(answered.getTime() + hour),
      },
    );
  }
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < conversations.length; i += 500) {
      await tx
        .insertInto('conversations')
        .values(conversations.slice(i, i + 500))
        .execute();
    }
    for (let i = 0; i < messages.length; i += 500) {
      await tx
        .insertInto('messages')
        .values(messages.slice(i, i + 500))
        .execute();
    }
  });
  return { email: client.email, password };
}

async function prepareDatabase(
  kind: DatabaseKind,
  dataDir: string,
  adminUrl: string | undefined,
  conversations: number,
  poolSize: number | undefined,
) {
  let url: string | undefined;
  let version: string;
  if (kind === 'postgres') {
    if (!adminUrl)
      throw new Error('TEST_DATABASE_URL is not set: run `bash scripts/provision.sh` (it writes .cache/services.env).');
    const created = await createPostgresDatabase(adminUrl);
    url = created.url;
    version = `PostgreSQL ${created.serverVersion} on 127.0.0.1, pool of ${poolSize ?? 10} connections`;
  } else {
    const manifest = JSON.parse(
      await readFile(path.join(PROJECT_ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
    ) as { version: string };
    version = `PGlite ${manifest.version} (in the server process)`;
  }
  // The same directory startSystem uses for the embedded database (DATA_DIR/postgres).
  const database = await openDatabase({ url, embeddedDir: path.join(dataDir, 'postgres') });
  try {
    await migrateToLatest(database.db);
    const client = await seed(database.db, conversations);
    return { url, version, client };
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The anchor: Redmine's issues.json

interface RedmineEnv {
  url: string;
  adminKey: string;
  apiKey: string;
}

function redmineEnv(): RedmineEnv {
  const url = process.env.TEST_REDMINE_URL;
  const adminKey = process.env.TEST_REDMINE_ADMIN_KEY;
  const apiKey = process.env.TEST_REDMINE_API_KEY;
  if (!url || !adminKey || !apiKey)
    throw new Error(
      'TEST_REDMINE_URL and its keys are not set: run `bash scripts/provision.sh --with-redmine` ' +
        '(it writes .cache/services.env), or pass --redmine=off',
    );
  return { url, adminKey, apiKey };
}

/**
 * A private Redmine project of the run's own with `count` issues, the API user (no
 * administrator, like Guichet's) a member with the "Guichet API" role. Deleted at cleanup with
 * its issues. Returns the project id.
 */
async function prepareRedmine(env: RedmineEnv, count: number): Promise<number> {
  const admin: HttpClient = createHttpClient({
    system: 'redmine-admin',
    baseUrl: env.url,
    headers: { 'X-Redmine-API-Key': env.adminKey },
    timeoutMs: 60_000,
  });
  const api: HttpClient = createHttpClient({
    system: 'redmine',
    baseUrl: env.url,
    headers: { 'X-Redmine-API-Key': env.apiKey },
    timeoutMs: 60_000,
  });
  const identifier = `guichet-bench-list-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const trackers = await admin.json<{ trackers: { id: number }[] }>({ method: 'GET', path: '/trackers.json' });
  const trackerIds = trackers.data?.trackers.map((t) => t.id) ?? [];
  if (trackerIds.length === 0) throw new Error('the test Redmine has no tracker');
  const created = await admin.json<{ project: { id: number } }>({
    method: 'POST',
    path: '/projects.json',
    json: {
      project: {
        name: identifier,
        identifier,
        is_public: false,
        tracker_ids: trackerIds,
        enabled_module_names: ['issue_tracking'],
      },
    },
  });
  const id = created.data?.project.id;
  if (id === undefined) throw new Error('POST /projects.json gave no project');
  // Redmine may still be working through the load's backlog: give it time.
  defer(
    `delete the Redmine project ${identifier}`,
    async () => {
      await waitForRedmine(env);
      await admin.json({ method: 'DELETE', path: `/projects/${id}.json`, timeoutMs: 240_000 });
    },
    600_000,
  );
  const me = await api.json<{ user: { id: number } }>({ method: 'GET', path: '/users/current.json' });
  const roles = await admin.json<{ roles: { id: number; name: string }[] }>({ method: 'GET', path: '/roles.json' });
  const role = roles.data?.roles.find((r) => r.name === 'Guichet API');
  if (!me.data || !role)
    throw new Error('the test Redmine has no "Guichet API" role: run `bash scripts/provision.sh --with-redmine`');
  await admin.json({
    method: 'POST',
    path: `/projects/${id}/memberships.json`,
    json: { membership: { user_id: me.data.user.id, role_ids: [role.id] } },
  });
  for (let i = 0; i < count; i++) {
    await api.json({
      method: 'POST',
      path: '/issues.json',
      json: {
        issue: {
          project_id: id,
          tracker_id: trackerIds[0],
          subject: `Demande ${i + 1} : chauffage, appartement 3B`,
          description: 'Bonjour, le radiateur de la chambre ne chauffe plus depuis lundi malgré la purge.',
        },
      },
    });
  }
  return id;
}

/** Until Redmine answers a light request again (its queue drained), at most 5 minutes. */
async function waitForRedmine(env: RedmineEnv): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      const res = await fetch(`${env.url}/users/current.json`, {
        headers: { 'X-Redmine-API-Key': env.apiKey },
        signal: AbortSignal.timeout(60_000),
      });
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // Still busy or refusing connections: try again.
    }
    if (Date.now() > deadline) throw new Error('Redmine did not answer again within 5 minutes of the load');
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

function redmineListPath(projectId: number, limit: number): string {
  return `/issues.json?project_id=${projectId}&limit=${limit}`;
}

/** One request, checked, so that the load test measures a full page of issues. */
async function verifyRedmine(env: RedmineEnv, projectId: number, limit: number, expected: number): Promise<void> {
  const res = await fetch(`${env.url}${redmineListPath(projectId, limit)}`, {
    headers: { 'X-Redmine-API-Key': env.apiKey },
  });
  const body = (await res.json()) as { issues?: unknown[] };
  if (res.status !== 200 || body.issues?.length !== expected)
    throw new Error(
      `Redmine GET /issues.json: HTTP ${res.status}, ${body.issues?.length} issues (expected ${expected})`,
    );
}

/** Redmine's issues.json with the same autocannon settings as Guichet's targets. */
async function benchRedmine(env: RedmineEnv, projectId: number, limit: number, options: Options): Promise<AnchorRow> {
  const url = `${env.url}${redmineListPath(projectId, limit)}`;
  const headers = { 'X-Redmine-API-Key': env.apiKey, accept: 'application/json' };
  log(`redmine: GET /issues.json?limit=${limit}: warm-up ${options.warmup} s`);
  await load(url, headers, options.connections, options.warmup, REDMINE_TIMEOUT_S);
  // The warm-up's requests still in flight are still queued in Redmine: the measured run would
  // wait behind them and count none.
  await waitForRedmine(env);
  log(`redmine: GET /issues.json?limit=${limit}: ${options.connections} connections for ${options.duration} s`);
  const hostBefore = cpuTimes();
  const { result, latencies } = await load(url, headers, options.connections, options.duration, REDMINE_TIMEOUT_S);
  const hostAfter = cpuTimes();
  return {
    limit,
    connections: options.connections,
    requestsPerSecond: result.requests.mean,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: result.errors,
    non2xx: result.non2xx,
    total: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'],
    hostCpu: (100 * (hostAfter.busy - hostBefore.busy)) / Math.max(1, hostAfter.total - hostBefore.total),
    load1: os.loadavg()[0]!,
  };
}

/** The Guichet server in a child process; resolves once it listens. */
async function startServerProcess(
  env: Record<string, string>,
  profileDir: string | undefined,
): Promise<{ child: ChildProcess; port: number; stop: () => Promise<void> }> {
  const child = fork(SELF, [], {
    env: { ...process.env, [ROLE_ENV]: 'server', [CONFIG_ENV]: JSON.stringify(env) },
    execArgv: [...process.execArgv, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = defer('stop the Guichet server process', async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ type: 'stop' } satisfies ToServer);
    else child.kill('SIGTERM');
    try {
      await withTimeout(exited, 15_000, 'server process exit');
    } catch {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const port = await withTimeout(
    new Promise<number>((resolve, reject) => {
      child.on('message', (m: FromServer) => {
        if (m.type === 'ready') resolve(m.port);
        if (m.type === 'failed') reject(new Error(`the Guichet server did not start: ${m.message}`));
      });
      child.once('exit', (code) => reject(new Error(`the Guichet server process exited with code ${code}`)));
    }),
    120_000,
    'Guichet server start',
  );
  return { child, port, stop };
}

let nextStatsId = 1;
function serverStats(child: ChildProcess, reset = false): Promise<ServerStats> {
  const id = nextStatsId++;
  return withTimeout(
    new Promise((resolve) => {
      const onMessage = (m: FromServer) => {
        if (m.type === 'stats' && m.id === id) {
          child.off('message', onMessage);
          resolve(m);
        }
      };
      child.on('message', onMessage);
      child.send({ type: 'stats', id, reset } satisfies ToServer);
    }),
    10_000,
    'server stats',
  );
}

// ---------------------------------------------------------------------------------------------
// HTTP

function mergeCookies(jar: Map<string, string>, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0] ?? '';
    const i = pair.indexOf('=');
    if (i > 0) jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
  }
}

function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** Logs in like a browser (CSRF cookie and token, then the form) and returns the cookie header. */
async function login(base: string, client: SeededClient): Promise<string> {
  const jar = new Map<string, string>();
  const form = await fetch(`${base}/connexion`, { redirect: 'manual' });
  mergeCookies(jar, form);
  const token = csrfToken(await form.text());
  const res = await fetch(`${base}/connexion`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: client.email, password: client.password, _csrf: token }).toString(),
  });
  mergeCookies(jar, res);
  if (res.status !== 303 || !jar.has('guichet_session')) throw new Error(`login failed: HTTP ${res.status}`);
  return cookieHeader(jar);
}

/** One request per target, checked for content, so that the load test measures the real page. */
async function verifyTargets(base: string, cookie: string, conversations: number): Promise<void> {
  const html = await fetch(`${base}/conversations`, { redirect: 'manual', headers: { cookie, accept: 'text/html' } });
  const page = await html.text();
  const listed = (page.match(/<a href="\/conversations\/[0-9a-f-]{36}">/g) ?? []).length;
  if (html.status !== 200 || listed !== Math.min(HTML_PAGE_SIZE, conversations)) {
    throw new Error(
      `GET /conversations: HTTP ${html.status}, ${listed} conversations listed (expected ${Math.min(HTML_PAGE_SIZE, conversations)})`,
    );
  }
  const api = await fetch(`${base}/api/v1/conversations?limit=${API_LIMIT}`, {
    redirect: 'manual',
    headers: { cookie, accept: 'application/json' },
  });
  const body = (await api.json()) as { total?: number; items?: unknown[] };
  if (api.status !== 200 || body.total !== conversations || body.items?.length !== Math.min(API_LIMIT, conversations)) {
    throw new Error(`GET /api/v1/conversations: HTTP ${api.status}, total ${body.total}, ${body.items?.length} items`);
  }
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

interface Loaded {
  result: autocannon.Result;
  /** Response time of every 2xx response, ms (autocannon's own measure, unrounded). */
  latencies: Float64Array;
}

async function load(
  url: string,
  headers: Record<string, string>,
  connections: number,
  duration: number,
  timeout = 10,
): Promise<Loaded> {
  let times = new Float64Array(65_536);
  let n = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, headers, connections, duration, timeout }, (err, res) =>
      err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(res),
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode < 200 || statusCode > 299) return;
      if (n === times.length) {
        const bigger = new Float64Array(times.length * 2);
        bigger.set(times);
        times = bigger;
      }
      times[n++] = responseTime;
    });
  });
  return { result, latencies: times.slice(0, n).sort() };
}

/** The p-th percentile (0–100) of sorted values, nearest rank; 0 when there is none. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Redmine answers one request at a time: 50 queued requests may wait longer than Guichet's 10 s
 * limit on a busy machine; a request cut off would count for nothing while Redmine still works it. */
const REDMINE_TIMEOUT_S = 120;

function statusSummary(result: autocannon.Result): string {
  return Object.entries(result.statusCodeStats ?? {})
    .map(([code, s]) => `${code}×${s.count ?? 0}`)
    .join(' ');
}

async function benchTarget(
  base: string,
  target: Target,
  database: DatabaseKind,
  cookie: string,
  child: ChildProcess,
  options: Options,
  queriesPerRequest: number,
  connections: number,
): Promise<{ row: Row; warmupFailures: number }> {
  const url = `${base}${target.path}`;
  const headers = { cookie, accept: target.accept };

  log(`${database}: ${target.name}: warm-up ${options.warmup} s at ${connections} connections`);
  const warm = (await load(url, headers, connections, options.warmup)).result;
  const warmupFailures = warm.non2xx + warm.errors;
  if (warmupFailures > 0) log(`  warm-up: ${warm.non2xx} non-2xx, ${warm.errors} errors (${statusSummary(warm)})`);

  log(`${database}: ${target.name}: ${connections} connections for ${options.duration} s`);
  const serverBefore = await serverStats(child, true);
  const hostBefore = cpuTimes();
  const loaderBefore = process.cpuUsage();
  const loaderStart = performance.now();
  const { result, latencies } = await load(url, headers, connections, options.duration);
  const loaderUsed = process.cpuUsage(loaderBefore);
  const loaderWall = performance.now() - loaderStart;
  const hostAfter = cpuTimes();
  const serverAfter = await serverStats(child);

  const total = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
  const row: Row = {
    target: target.name,
    database,
    connections,
    requestsPerSecond: result.requests.mean,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    total,
    statusCodes: statusSummary(result),
    serverCpu:
      (100 * (serverAfter.cpuMicros - serverBefore.cpuMicros)) / 1000 / (serverAfter.wallMs - serverBefore.wallMs),
    loaderCpu: (100 * (loaderUsed.user + loaderUsed.system)) / 1000 / Math.max(1, loaderWall),
    serverLoopUtilization:
      (100 * (serverAfter.loopActiveMs - serverBefore.loopActiveMs)) /
      Math.max(
        1,
        serverAfter.loopActiveMs - serverBefore.loopActiveMs + serverAfter.loopIdleMs - serverBefore.loopIdleMs,
      ),
    serverLoopDelayP99: serverAfter.loopDelayP99,
    serverLoopDelayMax: serverAfter.loopDelayMax,
    serverRssBefore: serverBefore.rssBytes,
    serverRssAfter: serverAfter.rssBytes,
    serverHeapAfter: serverAfter.heapUsedBytes,
    hostCpu: (100 * (hostAfter.busy - hostBefore.busy)) / Math.max(1, hostAfter.total - hostBefore.total),
    load1: os.loadavg()[0]!,
    queriesPerRequest,
    bytesPerResponse: result['2xx'] > 0 ? result.throughput.total / result['2xx'] : 0,
    items: target.items,
  };
  return { row, warmupFailures };
}

/**
 * Database queries of one request, measured alone before any load (requests still in flight
 * after a load run would be counted too). Three probes, the smallest count: a session touch
 * (once a minute) must not be taken for the cost of the page.
 */
async function queriesPerRequest(base: string, target: Target, cookie: string, child: ChildProcess): Promise<number> {
  const counts: number[] = [];
  for (let i = 0; i < 3; i++) {
    const before = await serverStats(child);
    const res = await fetch(`${base}${target.path}`, {
      redirect: 'manual',
      headers: { cookie, accept: target.accept },
    });
    await res.arrayBuffer();
    const after = await serverStats(child);
    counts.push(after.queries - before.queries);
  }
  return Math.min(...counts);
}

// ---------------------------------------------------------------------------------------------
// Report

function markdownTable(head: string[], body: string[][], leftColumns: number): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i < leftColumns ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

/** What the load generator saw. */
function resultTable(rows: Row[]): string {
  return markdownTable(
    [
      'target',
      'database',
      'connections',
      'req/s (mean)',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      '50 / req/s ms',
      'errors',
      'non-2xx',
      'requests',
    ],
    rows.map((r) => [
      r.target,
      r.database,
      String(r.connections),
      r.requestsPerSecond.toFixed(0),
      r.p50.toFixed(1),
      r.p95.toFixed(1),
      r.p99.toFixed(1),
      // Little's law: the mean latency the throughput allows at this concurrency.
      r.requestsPerSecond > 0 ? ((1000 * r.connections) / r.requestsPerSecond).toFixed(1) : '-',
      String(r.errors),
      String(r.non2xx),
      String(r.total),
    ]),
    2,
  );
}

/** What it cost on the server side. */
function serverTable(rows: Row[]): string {
  return markdownTable(
    [
      'target',
      'database',
      'connections',
      'queries/req',
      'bytes/resp',
      'server CPU',
      'server CPU ms/req',
      'load gen CPU',
      'event loop busy',
      'loop delay p99 ms',
      'loop delay max ms',
      'server RSS MB',
      'host CPU',
      'load 1 min',
    ],
    rows.map((r) => [
      r.target,
      r.database,
      String(r.connections),
      String(r.queriesPerRequest),
      r.bytesPerResponse.toFixed(0),
      `${r.serverCpu.toFixed(0)} %`,
      r.requestsPerSecond > 0 ? ((r.serverCpu * 10) / r.requestsPerSecond).toFixed(2) : '-',
      `${r.loaderCpu.toFixed(0)} %`,
      `${r.serverLoopUtilization.toFixed(0)} %`,
      r.serverLoopDelayP99.toFixed(0),
      r.serverLoopDelayMax.toFixed(0),
      `${(r.serverRssBefore / 2 ** 20).toFixed(0)} → ${(r.serverRssAfter / 2 ** 20).toFixed(0)}`,
      `${r.hostCpu.toFixed(0)} %`,
      r.load1.toFixed(2),
    ]),
    2,
  );
}

/** Guichet against Redmine's issues.json with the same page size, measured in the same run. */
function anchorTable(rows: Row[], anchors: AnchorRow[]): string {
  return markdownTable(
    [
      'target',
      'database',
      'connections',
      'Guichet req/s',
      'Guichet p95 ms',
      'Guichet p99 ms',
      'Redmine issues.json',
      'Redmine req/s',
      'Redmine p95 ms',
      'Redmine p99 ms',
      'ratio',
      'host CPU (Guichet / Redmine)',
      'load 1 min (Guichet / Redmine)',
      'goal ≥ 100×, p99 < 50 ms',
    ],
    // The anchor was measured at the largest count only: the goal's.
    rows
      .filter((r) => anchors.some((x) => x.connections === r.connections))
      .map((r) => {
        const a = anchors.find((x) => x.limit === r.items && x.connections === r.connections);
        return [
          r.target,
          r.database,
          String(r.connections),
          r.requestsPerSecond.toFixed(0),
          r.p95.toFixed(1),
          r.p99.toFixed(1),
          a ? `limit=${a.limit}` : '-',
          a ? a.requestsPerSecond.toFixed(1) : '-',
          a ? a.p95.toFixed(0) : '-',
          a ? a.p99.toFixed(0) : '-',
          a
            ? a.requestsPerSecond > 0
              ? `${(r.requestsPerSecond / a.requestsPerSecond).toFixed(0)}×`
              : 'n/a (Redmine 0)'
            : '-',
          a ? `${r.hostCpu.toFixed(0)} % / ${a.hostCpu.toFixed(0)} %` : '-',
          a ? `${r.load1.toFixed(2)} / ${a.load1.toFixed(2)}` : '-',
          a && a.requestsPerSecond > 0
            ? r.requestsPerSecond >= 100 * a.requestsPerSecond && r.p99 < 50
              ? 'met'
              : 'not met'
            : '-',
        ];
      }),
    2,
  );
}

// ---------------------------------------------------------------------------------------------
// Roles

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2), process.env);
  loadServicesEnv();
  const adminUrl = process.env.TEST_DATABASE_URL;
  const cliPath = process.env.TEMPORAL_CLI_PATH;

  // Setup, then per database: start, login, and per target: warm-up, run, margins.
  const limits = [...new Set(TARGETS.map((t) => t.items))];
  const redmineIssues = Math.min(options.conversations, Math.max(...limits));
  const budgetMs =
    (120 +
      options.databases.length *
        (90 + TARGETS.length * options.connectionCounts.length * (options.warmup + options.duration + 30)) +
      (options.redmine ? 120 + 2 * redmineIssues + limits.length * (options.warmup + options.duration + 630) : 0)) *
    1000;
  const watchdog = setTimeout(() => {
    log(`watchdog: the benchmark did not finish within ${budgetMs / 1000} s; stopping`);
    void cleanup().finally(() => process.exit(2));
  }, budgetMs);
  // `on`, not `once`: Ctrl-C reaches this process twice (from the terminal and relayed by tsx),
  // and without a listener tsx exits at once, leaving the database and directories behind.
  let signalled = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (signalled) return;
      signalled = true;
      log(`${signal}: stopping and cleaning up`);
      void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }

  const started = new Date();
  const loadBefore = os.loadavg();
  // Other work on the machine skews every number: say how busy it was before we started.
  const idleBefore = cpuTimes();
  await new Promise((r) => setTimeout(r, 2000));
  const idleAfter = cpuTimes();
  const hostBusyBefore = (100 * (idleAfter.busy - idleBefore.busy)) / Math.max(1, idleAfter.total - idleBefore.total);
  if (hostBusyBefore > 15)
    log(
      `warning: the host was ${hostBusyBefore.toFixed(0)} % busy before the benchmark started; numbers will be low and noisy`,
    );
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'guichet-bench-'));
  defer(`remove ${tmp}`, () => rm(tmp, { recursive: true, force: true }));

  log('starting a Temporal dev server (the server role connects a Temporal client at start)');
  const temporal = await startDevServer({
    dataDir: tmp,
    dbDir: path.join(tmp, 'temporal'),
    port: await freePort(),
    uiPort: 0,
    headless: true,
    namespace: 'default',
    cliPath,
    logger: pino({ level: 'warn' }),
  });
  defer('stop the Temporal dev server', () => temporal.stop());

  // The anchor first: Redmine's issues.json, the same load, the same page sizes.
  const anchors: AnchorRow[] = [];
  if (options.redmine) {
    const env = redmineEnv();
    log(`redmine: a project of the run's own with ${redmineIssues} issues`);
    const projectId = await prepareRedmine(env, redmineIssues);
    for (const limit of limits) await verifyRedmine(env, projectId, limit, Math.min(limit, redmineIssues));
    for (const limit of limits) {
      anchors.push(await benchRedmine(env, projectId, limit, options));
      // Redmine answers one request at a time: what autocannon left in flight is still queued.
      await waitForRedmine(env);
    }
  }

  const rows: Row[] = [];
  const versions: string[] = [];
  let warmupFailures = 0;
  for (const database of options.databases) {
    const dataDir = path.join(tmp, database);
    log(`${database}: creating, migrating and seeding (${options.conversations} conversations × 3 messages)`);
    const prepared = await prepareDatabase(database, dataDir, adminUrl, options.conversations, options.poolSize);
    versions.push(prepared.version);
    const env: Record<string, string> = {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      TEMPORAL_ADDRESS: temporal.address,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DEMO_DATA: 'false',
      LOG_LEVEL: 'silent',
      ...(prepared.url ? { DATABASE_URL: prepared.url } : {}),
      ...(options.poolSize ? { DATABASE_POOL_SIZE: String(options.poolSize) } : {}),
    };
    const server = await startServerProcess(env, options.profileDir);
    const base = `http://127.0.0.1:${server.port}`;
    const cookie = await login(base, prepared.client);
    await verifyTargets(base, cookie, options.conversations);
    const queries = new Map<Target, number>();
    for (const target of TARGETS) queries.set(target, await queriesPerRequest(base, target, cookie, server.child));
    for (const target of TARGETS) {
      for (const connections of options.connectionCounts) {
        const measured = await benchTarget(
          base,
          target,
          database,
          cookie,
          server.child,
          options,
          queries.get(target)!,
          connections,
        );
        rows.push(measured.row);
        warmupFailures += measured.warmupFailures;
      }
    }
    await server.stop();
  }
  clearTimeout(watchdog);
  await cleanup();

  const cpus = os.cpus();
  const autocannonVersion = (
    JSON.parse(await readFile(path.join(PROJECT_ROOT, 'node_modules/autocannon/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const out = [
    '',
    `Conversation list benchmark, ${started.toISOString()}`,
    `command:   ${commandLine(options)}`,
    `node:      ${process.version} (${process.platform} ${os.release()} ${process.arch})`,
    `cpus:      ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
    `databases: ${versions.join('; ')}`,
    `host:      ${hostBusyBefore.toFixed(0)} % busy (all cores) during the 2 s before the benchmark started; load average ${loadBefore
      .map((l) => l.toFixed(2))
      .join(' ')} at the start, ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the end`,
    `load:      autocannon ${autocannonVersion}, ${options.connectionCounts.join(' / ')} connections, ${options.warmup} s warm-up then ${options.duration} s measured, per target and count`,
    `data:      1 client, ${options.conversations} conversations × 3 messages; HTML lists ${Math.min(HTML_PAGE_SIZE, options.conversations)}, API lists ${Math.min(API_LIMIT, options.conversations)}`,
    '',
    resultTable(rows),
    '',
    "req/s: mean of the per-second samples; p50/p95/p99: of every 2xx response time (autocannon's measure, 0.1 ms);",
    "50 / req/s: the mean latency the throughput allows at that many connections (Little's law); errors: socket errors and timeouts.",
    '',
    serverTable(rows),
    '',
    'queries/req: database queries of one request, measured alone before any load. server CPU: the Guichet server',
    'process, % of one core (above 100 %: GC and libuv threads); ms/req = CPU time / requests. event loop busy: event-loop',
    'utilization of the server; loop delay: how late a 5 ms timer fired; RSS: before → after the measured run.',
    `host CPU: all ${cpus.length} cores, busy % (load generator, server, database, Temporal and anything else on this machine).`,
    '',
    ...(anchors.length > 0
      ? [
          `Guichet vs Redmine's GET /issues.json?project_id=…&limit=N (API key of a project member, ${redmineIssues} issues),`,
          `the same autocannon settings (request timeout ${REDMINE_TIMEOUT_S} s instead of 10 s), measured in this run before Guichet:`,
          '',
          anchorTable(rows, anchors),
          '',
          ...anchors.map(
            (a) =>
              `  redmine limit=${a.limit}: ${a.connections} connections, p50 ${a.p50.toFixed(0)} ms, ${a.total} requests, ${a.errors} errors, ${a.non2xx} non-2xx`,
          ),
          '',
        ]
      : []),
  ];
  for (const r of rows) {
    out.push(
      `  ${r.database} ${r.target}: status codes ${r.statusCodes || 'none'}; ${r.errors} errors of which ${r.timeouts} timeouts (10 s); ` +
        `server heap ${(r.serverHeapAfter / 2 ** 20).toFixed(0)} MB after the run`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);

  const failed = rows.filter((r) => r.non2xx > 0 || r.errors > 0 || r.total === 0);
  if (failed.length > 0 || warmupFailures > 0) {
    process.stderr.write(
      `\nFAILED: ${failed.map((r) => `${r.database} ${r.target}`).join(', ') || 'warm-up'} saw non-2xx responses or errors.\n`,
    );
    return 1;
  }
  return 0;
}

/** The child process: the Guichet server alone, answering the parent over IPC. */
async function serve(): Promise<void> {
  const send = (m: FromServer) => process.send?.(m);
  const env = JSON.parse(process.env[CONFIG_ENV] ?? '{}') as Record<string, string>;
  let queries = 0;
  // Bench instrumentation only: count what reaches the database driver.
  const pgProto = pg.Client.prototype as unknown as { query: (this: pg.Client, ...args: unknown[]) => unknown };
  const pgQuery = pgProto.query;
  pgProto.query = function (this: pg.Client, ...args: unknown[]) {
    queries++;
    return pgQuery.apply(this, args);
  };
  if (!env.DATABASE_URL) {
    const { PGlite } = await import('@electric-sql/pglite');
    const liteProto = PGlite.prototype as unknown as {
      query: (this: InstanceType<typeof PGlite>, ...args: unknown[]) => unknown;
    };
    const liteQuery = liteProto.query;
    liteProto.query = function (this: InstanceType<typeof PGlite>, ...args: unknown[]) {
      queries++;
      return liteQuery.apply(this, args);
    };
  }

  let system: Awaited<ReturnType<typeof startSystem>>;
  try {
    const config = loadConfig(env);
    system = await startSystem({ config, server: true, worker: false, logger: pino({ level: 'silent' }) });
  } catch (err) {
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  const memory = () => {
    const m = process.memoryUsage();
    return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external + m.arrayBuffers };
  };
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void system.stop().finally(() => process.exit(0));
  };
  process.on('message', (m: ToServer) => {
    if (m.type === 'stop') stop();
    if (m.type === 'stats') {
      const cpu = process.cpuUsage();
      const loop = performance.eventLoopUtilization();
      send({
        type: 'stats',
        id: m.id,
        cpuMicros: cpu.user + cpu.system,
        queries,
        wallMs: performance.now(),
        loopActiveMs: loop.active,
        loopIdleMs: loop.idle,
        loopDelayP99: loopDelay.count > 0 ? loopDelay.percentile(99) / 1e6 : 0,
        loopDelayMax: loopDelay.count > 0 ? loopDelay.max / 1e6 : 0,
        ...memory(),
      });
      if (m.reset) loopDelay.reset();
    }
  });
  // The parent went away (crash, kill): do not outlive it.
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', () => undefined); // Ctrl-C reaches the whole group: the parent decides.
  const address = system.app?.server.address();
  send({ type: 'ready', port: typeof address === 'object' && address ? address.port : 0 });
}

if (process.env[ROLE_ENV] === 'server') {
  await serve();
} else {
  let code: number;
  try {
    code = await main();
  } catch (err) {
    process.stderr.write(
      `\n${err instanceof UsageError ? err.message : `benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`}\n`,
    );
    await cleanup();
    code = 2;
  }
  process.exit(code);
}
