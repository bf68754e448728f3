// SLA at scale: N open conversations, each with a live answer clock, on a Temporal server (the
// embedded dev server on SQLite, or --temporal=postgres: the Temporal server on PostgreSQL, see
// bench/temporal-postgres.ts). Measures how fast the conversations start, the worker's memory with
// N live clocks, and how late the reminders are when they all fall due together; then the anchor,
// in the same run on the same server: N bare clocks (one timer, one activity) falling due together.
//
//   npx tsx bench/sla-scale.ts [--conversations=10000] [--concurrency=50] [--target-seconds=900]
//     [--temporal=dev|postgres] [--worker-memory-mb=1024] [--cached-workflows=N] [--anchor=1]
//     [--bounded-heap=1] [--shards=4] [--shard-io=1]
//
// --shards and --shard-io set the PostgreSQL Temporal server's history shards and the persistence
// operations each runs at once (history.shardIOConcurrency). WORKER_METRICS_PORT=N exports the
// worker's own Temporal metrics (slots, pollers, schedule-to-start) on 127.0.0.1:N during the run.
//
// The worker runs in the bench's process, which runs itself again with V8's heap bounded as
// scripts/start-worker.sh bounds a worker's (--bounded-heap=0: the machine's default heap).
//
// Every request is dated at the same instant and a clock counts from its request's time, so every
// reminder (75 % of the target) falls due at once; the target should leave time for all the
// conversations to start first (the stragglers are counted and reported). The reminders go to a real SMTP server in this process, which
// counts each one by its reference (X-Guichet-Reference): exit 1 if one is missing or doubled, or
// if an acknowledgement came twice.
// Loopback only; bounded by a watchdog; the databases and temporary directories are removed at
// the end.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { getHeapStatistics } from 'node:v8';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import pg from 'pg';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../config.js';
import { migrateToLatest, openDatabase } from '../db/connect.js';
import { freePort } from '../runtime/ports.js';
import { startSystem } from '../runtime/system.js';
import { startDevServer } from '../runtime/temporal-dev-server.js';
import { workerHeapLimitMb, workerTuning } from '../runtime/worker.js';
import { createTemporalGateway } from '../temporal/gateway.js';
import { conversationWorkflowId } from '../workflows/conversation.js';
import { loadServicesEnv } from '../tests/helpers/services-env.js';
import { startPostgresTemporal } from './temporal-postgres.js';

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = Number(arg?.split('=')[1] ?? process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0`);
  return value;
}

function textOption(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.split('=')[1] ?? fallback;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Host CPU busy share between two /proc/stat readings. */
function cpuTimes(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}
const busyShare = (a: { busy: number; total: number }, b: { busy: number; total: number }) =>
  b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : Number.NaN;

/** The load figures of a phase: host CPU busy and the highest 1-min load average seen. */
class Phase {
  private readonly cpu = cpuTimes();
  private readonly own = process.cpuUsage();
  private readonly at = Date.now();
  private load = os.loadavg()[0]!;
  sample(): void {
    this.load = Math.max(this.load, os.loadavg()[0]!);
  }
  end(): string {
    const share = busyShare(this.cpu, cpuTimes());
    const used = process.cpuUsage(this.own);
    // The worker runs in this process; the rest of the host is the Temporal server and PostgreSQL.
    const ownShare = (used.user + used.system) / 1000 / Math.max(1, Date.now() - this.at);
    return `host CPU ${Math.round(share * 100)} % busy (this process, the worker: ${Math.round(ownShare * 100)} % of one core), load average up to ${this.load.toFixed(1)}`;
  }
}

/** A real SMTP server that only reads each mail's headers and records when each reference came. */
async function startSmtpSink() {
  const arrivals = new Map<string, number[]>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 16_384) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        // A copy of its own: a match is a slice of `head`, and V8 keeps the whole string (the
        // mail's first 16 KB) alive for as long as the slice, here a key kept for the whole run.
        // Without the copy the 100,000 run's heap grew by some 4 KB a mail and ran out at 150,000.
        const match = /^X-Guichet-Reference:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? '';
        const reference = Buffer.from(match, 'latin1').toString('latin1');
        const list = arrivals.get(reference) ?? [];
        list.push(Date.now());
        arrivals.set(reference, list);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a workflow's history holds so far: its events, workflow tasks, activity tasks, local
 * activities (markers other than patches) and timers. */
async function historyCost(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const count = (has: (e: (typeof events)[number]) => unknown) => events.filter((e) => has(e)).length;
  const markers = events.filter((e) => e.markerRecordedEventAttributes);
  const localActivities = markers.filter((e) => e.markerRecordedEventAttributes?.markerName !== 'core_patch').length;
  return [
    `${events.length} history events`,
    `${count((e) => e.workflowTaskCompletedEventAttributes)} workflow tasks`,
    `${count((e) => e.activityTaskScheduledEventAttributes)} activity tasks`,
    `${localActivities} local activities`,
    `${markers.length - localActivities} patch markers`,
    `${count((e) => e.timerStartedEventAttributes)} timer`,
  ].join(', ');
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const eventMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : Number.NaN;

/**
 * Where a late reminder's time went, from its conversation's history: the timer fired how late
 * (the Temporal server's timer processing), its workflow task waited how long for a worker
 * (matching and the worker's pollers), and ran how long (replay and the reminder's local activity);
 * with the workflow tasks that timed out on the way (a sticky queue not drained in time).
 */
async function lateBreakdown(client: Client, workflowIds: string[]): Promise<string> {
  const fired: number[] = [];
  const waited: number[] = [];
  const ran: number[] = [];
  let timedOut = 0;
  for (const id of workflowIds) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const timers = new Map<string, number>();
    for (const e of events) {
      const started = e.timerStartedEventAttributes;
      if (started?.timerId && started.startToFireTimeout) {
        timers.set(started.timerId, eventMs(e.eventTime) + eventMs(started.startToFireTimeout));
      }
    }
    // The last timer that fired before the reminder's local activity marker.
    const marker = events.findLastIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    const firedAt = events
      .slice(0, marker < 0 ? events.length : marker)
      .findLastIndex((e) => e.timerFiredEventAttributes);
    if (firedAt < 0) continue;
    const fire = events[firedAt]!;
    const due = timers.get(fire.timerFiredEventAttributes!.timerId ?? '');
    if (due !== undefined) fired.push(eventMs(fire.eventTime) - due);
    const after = events.slice(firedAt + 1);
    const scheduled = after.find((e) => e.workflowTaskScheduledEventAttributes);
    const completed = after.findIndex((e) => e.workflowTaskCompletedEventAttributes);
    const beforeCompletion = completed < 0 ? after : after.slice(0, completed);
    timedOut += beforeCompletion.filter(
      (e) => e.workflowTaskTimedOutEventAttributes || e.workflowTaskFailedEventAttributes,
    ).length;
    // The start of the task that completed (earlier attempts timed out or failed).
    const taken = beforeCompletion.findLast((e) => e.workflowTaskStartedEventAttributes);
    if (scheduled && taken) waited.push(eventMs(taken.eventTime) - eventMs(scheduled.eventTime));
    if (completed >= 0 && taken) ran.push(eventMs(after[completed]!.eventTime) - eventMs(taken.eventTime));
  }
  const mean = (xs: number[]) => (xs.length ? fmt(xs.reduce((a, b) => a + b, 0) / xs.length) : 'n/a');
  const most = (xs: number[]) => (xs.length ? fmt(Math.max(...xs)) : 'n/a');
  return (
    `${workflowIds.length} latest: timer fired late by ${mean(fired)} (max ${most(fired)}); ` +
    `its workflow task waited for a worker ${mean(waited)} (max ${most(waited)}), ran ${mean(ran)} (max ${most(ran)}); ` +
    `${timedOut} workflow tasks timed out or failed on the way`
  );
}

/** The anchor: `n` bare clocks (one timer, one activity) due together, on the same server. */
async function runAnchor(input: {
  address: string;
  n: number;
  concurrency: number;
  startBudgetMs: number;
  tuning: ReturnType<typeof workerTuning>;
}) {
  const touched = new Map<string, number>();
  const firstTasks = new Map<string, number>();
  const taskQueue = 'bench-sla-anchor';
  const nativeConnection = await NativeConnection.connect({ address: input.address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./anchor-workflow.ts', import.meta.url)),
    activities: {
      anchorTouch: (id: string) => {
        if (!touched.has(id)) touched.set(id, Date.now());
        return Promise.resolve();
      },
    },
    sinks: {
      bench: {
        started: {
          fn: (_info: unknown, id: string) => void (firstTasks.has(id) || firstTasks.set(id, Date.now())),
          callDuringReplay: false,
        },
      },
    },
    ...input.tuning,
  });
  const running = worker.run();
  const connection = await Connection.connect({ address: input.address });
  const client = new Client({ connection });
  const phase = new Phase();
  const sampler = setInterval(() => phase.sample(), 1000);
  try {
    const dueAt = Date.now() + input.startBudgetMs;
    const t0 = Date.now();
    let next = 0;
    let lateStarts = 0;
    await Promise.all(
      Array.from({ length: input.concurrency }, async () => {
        while (next < input.n) {
          const id = `anchor-${next++}-${randomBytes(3).toString('hex')}`;
          await client.workflow.start('slaAnchorWorkflow', { workflowId: id, taskQueue, args: [{ id, dueAt }] });
          if (Date.now() > dueAt) lateStarts++;
        }
      }),
    );
    const started = Date.now() - t0;
    // Started = its first workflow task ran (the sink), as Guichet's clock recorded is.
    while (firstTasks.size < input.n && Date.now() < dueAt) await new Promise((r) => setTimeout(r, 200));
    const ran = Math.max(0, ...firstTasks.values()) - t0;
    process.stderr.write(
      `anchor: ${input.n} started in ${fmt(started)}, ${firstTasks.size} ran their first task in ${fmt(ran)}; due in ${fmt(dueAt - Date.now())}\n`,
    );
    const waitUntil = dueAt + 30 * 60_000;
    while (touched.size < input.n && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 500));
    const lags = [...touched.values()].map((t) => t - dueAt).sort((a, b) => a - b);
    return { started, ran, firstTasks: firstTasks.size, lateStarts, lags, count: touched.size, load: phase.end() };
  } finally {
    clearInterval(sampler);
    worker.shutdown();
    await running;
    await connection.close();
    await nativeConnection.close();
  }
}

/** Set in the bench's own child: its heap is already bounded. */
const BOUNDED_HEAP_MARK = 'BENCH_SLA_BOUNDED_HEAP';

/** The worker runs in the bench's process: run the bench again in a child whose V8 heap is bounded
 * as scripts/start-worker.sh bounds a worker's (60 % of --worker-memory-mb), and pass its code on. */
function rerunWithBoundedHeap(memoryMb: number): Promise<number> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, `--max-old-space-size=${workerHeapLimitMb(memoryMb)}`, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, [BOUNDED_HEAP_MARK]: '1' } },
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 2 : 0))));
}

/** RSS and V8's used heap every few seconds, printed as about 20 points over the run. */
class MemoryTimeline {
  private readonly t0 = Date.now();
  private readonly points: Array<{ at: number; rss: number; heap: number }> = [];
  private peak = process.memoryUsage().rss;
  sample(): void {
    const { rss, heapUsed } = process.memoryUsage();
    this.peak = Math.max(this.peak, rss);
    const last = this.points[this.points.length - 1];
    if (!last || Date.now() - last.at >= 5000) this.points.push({ at: Date.now(), rss, heap: heapUsed });
  }
  get peakRss(): number {
    return this.peak;
  }
  summary(): string {
    const step = Math.max(1, Math.ceil(this.points.length / 20));
    const mb = (b: number) => Math.round(b / 1e6);
    return this.points
      .filter((_, i) => i % step === 0 || i === this.points.length - 1)
      .map((p) => `${Math.round((p.at - this.t0) / 1000)} s ${mb(p.rss)}/${mb(p.heap)}`)
      .join(', ');
  }
}

// Long as a whole: the bench's phases one after another (seed, start, wait, measure, anchor, report).
async function main(): Promise<number> {
  loadServicesEnv();
  const memoryMb = option('worker-memory-mb', 1024);
  if (option('bounded-heap', 1) > 0 && !process.env[BOUNDED_HEAP_MARK]) return rerunWithBoundedHeap(memoryMb);
  const n = option('conversations', 10_000);
  const concurrency = option('concurrency', 50);
  const targetSeconds = option('target-seconds', 900);
  const temporalKind = textOption('temporal', 'dev');
  const cachedArg = process.argv.find((a) => a.startsWith('--cached-workflows='));
  const cachedWorkflows = cachedArg ? option('cached-workflows', 0) : undefined;
  const withAnchor = option('anchor', 1) > 0;
  if (temporalKind !== 'dev' && temporalKind !== 'postgres') throw new Error('--temporal must be dev or postgres');
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set (bash scripts/provision.sh)');
  const watchdogMs = Math.max(40 * 60_000, targetSeconds * 3000 + 30 * 60_000);
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench/sla-scale: watchdog expired (${Math.round(watchdogMs / 60_000)} min)\n`);
    process.exit(2);
  }, watchdogMs);
  watchdog.unref();
  const quiet = new Phase();
  await new Promise((r) => setTimeout(r, 3000));
  const before = quiet.end();

  const dbName = `guichet_bench_sla_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'guichet-bench-sla-'));
  const log = pino({ level: 'silent' });
  const smtp = await startSmtpSink();
  const cleanUp = async () => {
    await smtp.close();
    await rm(tmp, { recursive: true, force: true });
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  };
  let temporal: { address: string; stop(): Promise<void> };
  try {
    temporal =
      temporalKind === 'postgres'
        ? await startPostgresTemporal({
            adminUrl,
            dir: tmp,
            cliPath: process.env.TEMPORAL_CLI_PATH,
            ...(process.argv.some((a) => a.startsWith('--shard-io=')) ? { shardIO: option('shard-io', 1) } : {}),
            ...(process.argv.some((a) => a.startsWith('--shards=')) ? { shards: option('shards', 4) } : {}),
          })
        : await startDevServer({
            dataDir: tmp,
            dbDir: tmp,
            port: await freePort(),
            uiPort: 0,
            headless: true,
            namespace: 'default',
            logger: log,
            cliPath: process.env.TEMPORAL_CLI_PATH,
          });
  } catch (err) {
    // The server's log is in tmp: keep it when the start failed, drop the rest.
    await smtp.close();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
    throw err;
  }
  try {
    const seed = await openDatabase({ url: url.toString() });
    await migrateToLatest(seed.db);
    const space = await seed.db
      .insertInto('spaces')
      .values({
        slug: 'bench',
        name: 'Bench',
        team_email: 'equipe@bench.test',
        sla_target_hours: targetSeconds / 3600,
        sla_max_hours: (targetSeconds * 10) / 3600,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const client = await seed.db
      .insertInto('accounts')
      .values({
        kind: 'client',
        email: 'client@bench.test',
        full_name: 'Client Bench',
        staff_role: null,
        password_hash: null,
        pending_password_hash: null,
        pending_password_expires_at: null,
        password_changed_at: null,
        last_login_at: null,
        disabled_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const ids = Array.from({ length: n }, () => ({ conversationId: randomUUID(), messageId: randomUUID() }));
    for (let i = 0; i < n; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      await seed.db
        .insertInto('conversations')
        .values(
          chunk.map((c, k) => ({
            id: c.conversationId,
            space_id: space.id,
            client_account_id: client.id,
            subject: `Demande ${i + k}`,
            cc: '',
            last_message_at: new Date(),
          })),
        )
        .execute();
      await seed.db
        .insertInto('messages')
        .values(
          chunk.map((c) => ({
            id: c.messageId,
            conversation_id: c.conversationId,
            author_kind: 'client' as const,
            author_account_id: client.id,
            author_display_name: 'Client',
            body: 'Bonjour',
          })),
        )
        .execute();
    }
    await seed.close();

    const config = loadConfig({
      DATABASE_URL: url.toString(),
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'bench-sla',
      DATA_DIR: tmp,
      LOG_LEVEL: 'silent',
      DEMO_DATA: 'false',
      DATABASE_POOL_SIZE: '20',
      SMTP_URL: smtp.url,
      WORKER_MEMORY_MB: String(memoryMb),
      // The worker's own Temporal metrics (slots, pollers, schedule-to-start), to scrape during a run.
      ...(process.env.WORKER_METRICS_PORT ? { WORKER_METRICS_PORT: process.env.WORKER_METRICS_PORT } : {}),
      ...(cachedWorkflows !== undefined ? { WORKER_CACHED_WORKFLOWS: String(cachedWorkflows) } : {}),
    });
    const tuning = workerTuning({
      memoryMb: config.WORKER_MEMORY_MB,
      cachedWorkflows: config.WORKER_CACHED_WORKFLOWS,
      workflowTasks: config.WORKER_WORKFLOW_TASKS,
      activities: config.WORKER_ACTIVITIES,
    });
    const rssBefore = process.memoryUsage().rss;
    const system = await startSystem({ config, server: false, worker: true, logger: log });
    const connection = await Connection.connect({ address: temporal.address });
    const temporalClient = new Client({ connection });
    const gateway = createTemporalGateway(temporalClient, 'bench-sla');
    const memory = new MemoryTimeline();
    const startPhase = new Phase();
    const sampler = setInterval(() => {
      memory.sample();
      startPhase.sample();
    }, 500);
    let result: { code: number; lines: string[] };
    let signalled: number;
    try {
      // Every request is dated now, and a clock counts from its request's time, so all the
      // reminders fall due at the same moment, however long the starts take.
      await system.database.db.updateTable('messages').set({ created_at: new Date() }).execute();
      // Start: one signal-with-start per conversation, `concurrency` at a time.
      const t0 = Date.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < n) {
            const c = ids[next++]!;
            await gateway.clientMessage(c.conversationId, c.messageId);
          }
        }),
      );
      signalled = Date.now() - t0;
      process.stderr.write(`signal-with-start: ${n} in ${fmt(signalled)}\n`);
      // Started = its clock is recorded; and fully started = its acknowledgement e-mail arrived (the
      // last step of a start, after which the conversation only waits on its timer).
      const db = system.database.db;
      let clocks = 0;
      let lateClocks: number | undefined;
      let clocksAt: number | undefined;
      const acks = () => [...smtp.arrivals.keys()].filter((k) => k.startsWith('ack-mail:')).length;
      const ackWaitUntil = t0 + targetSeconds * 700;
      while (clocks < n || (acks() < n && Date.now() < ackWaitUntil)) {
        const row = await db
          .selectFrom('conversations')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('sla_max_at', 'is not', null)
          .executeTakeFirstOrThrow();
        clocks = Number(row.n);
        if (clocks >= n && clocksAt === undefined) clocksAt = Date.now();
        // Past the earliest instant a (spread) reminder may go, the stragglers still count against
        // the same nominal instant: say how many, rather than throw a long run away.
        if (lateClocks === undefined && Date.now() - t0 > targetSeconds * 700) {
          lateClocks = n - clocks;
          process.stderr.write(`${lateClocks} clocks not yet recorded when the first reminders could fall due\n`);
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      const started = (clocksAt ?? Date.now()) - t0;
      const acknowledged = acks();
      const ackLast = Math.max(
        0,
        ...[...smtp.arrivals].filter(([k]) => k.startsWith('ack-mail:')).map(([, times]) => times[0]!),
      );
      const startLoad = startPhase.end();
      const rssLive = process.memoryUsage().rss;
      process.stderr.write(`clocks recorded: ${n} in ${fmt(started)}; waiting for the reminders\n`);
      const startCost = await historyCost(temporalClient, conversationWorkflowId(ids[0]!.conversationId));

      // Reminders: due at 75 % of the target after the requests were written (warnings spread up
      // to 5 % of that earlier, never later: domain/sla-clock.ts spreadOf).
      // The burst's load counts from the first reminder to the last, not the wait before it.
      const reminderRefs = () => [...smtp.arrivals.keys()].filter((k) => k.startsWith('sla-reminder:'));
      const waitUntil = Date.now() + targetSeconds * 1000 + 15 * 60_000;
      while (reminderRefs().length === 0 && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 200));
      const burst = new Phase();
      const burstSampler = setInterval(() => burst.sample(), 1000);
      while (reminderRefs().length < n && Date.now() < waitUntil) await new Promise((r) => setTimeout(r, 1000));
      clearInterval(burstSampler);
      const burstLoad = burst.end();
      // A doubled reminder would come after its first: give the retries time to show.
      await new Promise((r) => setTimeout(r, 10_000));
      const rows = await db
        .selectFrom('conversations')
        .select(['id', 'sla_started_at', 'sla_target_at'])
        .where('space_id', '=', space.id)
        .execute();
      const dueOf = new Map(
        rows.map((r) => [
          r.id,
          r.sla_started_at!.getTime() + 0.75 * (r.sla_target_at!.getTime() - r.sla_started_at!.getTime()),
        ]),
      );
      const refs = reminderRefs();
      let duplicates = 0;
      const late: Array<{ conversationId: string; lag: number }> = [];
      for (const ref of refs) {
        const times = smtp.arrivals.get(ref)!;
        duplicates += times.length - 1;
        // sla-reminder:<conversation>:<clock>:<recipient>
        const conversationId = ref.split(':')[1] ?? '';
        const due = dueOf.get(conversationId);
        if (due !== undefined) late.push({ conversationId, lag: times[0]! - due });
      }
      const lags = late.map((l) => l.lag).sort((a, b) => a - b);
      const latest = late
        .sort((a, b) => b.lag - a.lag)
        .slice(0, 20)
        .map((l) => conversationWorkflowId(l.conversationId));
      const where = await lateBreakdown(temporalClient, latest).catch((err: unknown) => `not read: ${String(err)}`);
      const outbox = await db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('idempotency_key', 'like', 'sla-reminder:%')
        .where('status', '=', 'sent')
        .executeTakeFirstOrThrow();
      const dues = [...dueOf.values()];
      // A conversation's whole history (start, reminder), encoded, for a replay test's fixture.
      const saveHistory = process.env.BENCH_SLA_SAVE_HISTORY;
      if (saveHistory) {
        const history = await temporalClient.workflow
          .getHandle(conversationWorkflowId(ids[0]!.conversationId))
          .fetchHistory();
        await writeFile(saveHistory, proto.temporal.api.history.v1.History.encode(history).finish());
      }
      const missing = n - refs.length;
      // An acknowledgement is exactly-once too (its own local activity since this round).
      const ackDuplicates = [...smtp.arrivals]
        .filter(([k]) => k.startsWith('ack-mail:'))
        .reduce((sum, [, times]) => sum + times.length - 1, 0);

      // The worker's figure ends here: the anchor's worker runs in this process too.
      clearInterval(sampler);
      let anchorLines: string[] = [];
      let ratio = Number.NaN;
      if (withAnchor) {
        const anchor = await runAnchor({
          address: temporal.address,
          n,
          concurrency,
          startBudgetMs: Math.round(signalled * 1.5) + 30_000,
          tuning,
        });
        const anchorMax = anchor.lags[anchor.lags.length - 1] ?? Number.NaN;
        const guichetMax = lags[lags.length - 1] ?? Number.NaN;
        ratio = Math.max(guichetMax, 1) / Math.max(anchorMax, 1);
        anchorLines = [
          `| anchor: ${n} bare clocks (one timer, one activity) due together, same server | ${anchor.count} ran; ${anchor.lateStarts} started after due |`,
          `| anchor start: ${n} workflow starts, ${concurrency} at a time / until each ran its first task | ${fmt(anchor.started)} / ${fmt(anchor.ran)} (${Math.round((anchor.firstTasks / Math.max(anchor.ran, 1)) * 1000)} per second) |`,
          `| Guichet's start rate / the anchor's (every acknowledgement sent vs every first task ran) | ${(anchor.ran / (ackLast - t0)).toFixed(2)}× |`,
          `| anchor lateness p50 / p95 / max | ${fmt(percentile(anchor.lags, 50))} / ${fmt(percentile(anchor.lags, 95))} / ${fmt(anchorMax)} |`,
          `| Guichet's last reminder / the anchor's last activity (lateness ratio) | ${ratio.toFixed(2)}× |`,
          `| load during the anchor | ${anchor.load} |`,
        ];
      }
      const lines = [
        `bench/sla-scale — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} CPUs, Temporal ${temporalKind === 'postgres' ? 'server on PostgreSQL' : 'dev server (SQLite)'}`,
        `command: npx tsx bench/sla-scale.ts --conversations=${n} --concurrency=${concurrency} --target-seconds=${targetSeconds} --temporal=${temporalKind} --worker-memory-mb=${memoryMb}${process.env[BOUNDED_HEAP_MARK] ? '' : ' --bounded-heap=0'}${cachedWorkflows !== undefined ? ` --cached-workflows=${cachedWorkflows}` : ''}`,
        `worker: V8 heap limit ${Math.round(getHeapStatistics().heap_size_limit / 1048576)} MB${process.env[BOUNDED_HEAP_MARK] ? ` (--max-old-space-size=${workerHeapLimitMb(memoryMb)}, as scripts/start-worker.sh)` : ' (not bounded: --bounded-heap=0)'}, maxCachedWorkflows ${tuning.maxCachedWorkflows}, workflow tasks ${tuning.maxConcurrentWorkflowTaskExecutions}, activities ${tuning.maxConcurrentActivityTaskExecutions}`,
        '',
        `| measure | value |`,
        `|---|---|`,
        `| machine before the run | ${before} |`,
        `| conversations with a live SLA clock | ${n} |`,
        `| one conversation's start, from its history | ${startCost} |`,
        `| signal-with-start, ${concurrency} at a time | ${fmt(signalled)} (${Math.round((n / signalled) * 1000)} per second) |`,
        `| until every clock was recorded | ${fmt(started)} (${Math.round((n / started) * 1000)} per second); ${startLoad} |`,
        `| until every acknowledgement e-mail arrived (each start done) | ${acknowledged} of ${n} in ${fmt(ackLast - t0)} (${Math.round((acknowledged / Math.max(ackLast - t0, 1)) * 1000)} per second); ${ackDuplicates} received twice |`,
        ...(lateClocks ? [`| clocks recorded only after the first reminders could fall due | ${lateClocks} |`] : []),
        `| reminders due | ${n} (nominal instants within ${fmt(Math.max(...dues) - Math.min(...dues))} of each other) |`,
        `| reminders received by SMTP | ${refs.length} distinct, ${duplicates} duplicates, ${missing} missing (outbox: ${Number(outbox.n)} sent) |`,
        `| lateness vs the nominal due instant, min (spread: early) / p50 / p95 / max | ${fmt(lags[0] ?? Number.NaN)} / ${fmt(percentile(lags, 50))} / ${fmt(percentile(lags, 95))} / ${fmt(lags[lags.length - 1] ?? Number.NaN)} |`,
        `| where the latest reminders' time went (their histories) | ${where} |`,
        `| load from the first reminder to the last | ${burstLoad} |`,
        `| process RSS (worker + bench) before → with ${n} live clocks → peak | ${Math.round(rssBefore / 1e6)} MB → ${Math.round(rssLive / 1e6)} MB → ${Math.round(memory.peakRss / 1e6)} MB |`,
        `| RSS / V8 used heap (MB) over the run, from the worker's start to the last reminder | ${memory.summary()} |`,
        ...anchorLines,
        '',
      ];
      result = { code: missing === 0 && duplicates === 0 && ackDuplicates === 0 ? 0 : 1, lines };
    } finally {
      clearInterval(sampler);
      await connection.close();
      await system.stop();
    }
    process.stdout.write(result.lines.join('\n'));
    return result.code;
  } finally {
    await temporal.stop();
    await cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench/sla-scale failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
