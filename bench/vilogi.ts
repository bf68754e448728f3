// One Vilogi sync run over N pending extranet requests (default 1,000): how long the run takes,
// and how many Redmine and Vilogi calls it costs per request. Redmine calls are counted by a TCP
// proxy between Guichet and the real Redmine; Vilogi calls by the contract's simulator.
//
//   npx tsx bench/vilogi.ts [--requests=1000] [--redmine=on] [--files-every=10] [--triage-every=100]
//        [--failure-rate=0] [--timeout-rate=0] [--concurrency=8] [--floor-sample=200] [--log-level=silent]
//
// With --redmine=off the conversations are not mirrored: what is left is the sync itself
// (Vilogi, PostgreSQL, Temporal, the conversation workflows' acknowledgements).
//
// The anchor, with Redmine: Redmine's own floor for what a request needs at best (one issue
// creation, with its description and the client's e-mail field), measured in the same run right
// after the sync, straight to Redmine at the run's concurrency (VILOGI_IMPORT_CONCURRENCY) over
// --floor-sample creations, extrapolated to the run's requests; the ratio is the run's duration
// over that floor. Where the run's time went: each activity type's count and busy span, read from
// the run's Temporal history. Without Redmine the anchor is Temporal's floor: as many workflow
// starts with a signal (what each request needs of Temporal at best) at the same concurrency on
// the same server. The machine's load: CPU busy before and during, load averages.
//
// Needs what `bash scripts/provision.sh --with-redmine` sets up (.cache/services.env): a fresh
// PostgreSQL database, a Temporal dev server on a free port, and a private project of its own in
// the test Redmine (deleted after, with its issues). Guichet's worker runs in this process
// (startSystem), with the Redmine → Guichet poller slowed down (REDMINE_POLL_SECONDS=300) so that
// what is counted is the sync and the conversations it opens. Exit code: 0 when every request was
// imported and processed exactly once, 1 otherwise, 2 when the benchmark could not run.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time.js';
import { createRedmineClient } from '../connectors/redmine/index.js';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { startVilogiSimulator, tinyPdf } from '../connectors/vilogi/simulator.js';
import { startSystem } from '../runtime/system.js';
import { vilogiSyncWorkflow } from '../workflows/index.js';
import { createSpace } from '../tests/helpers/fixtures.js';
import {
  benchEnv,
  createDatabase,
  createRedmineProject,
  defer,
  hostBusy,
  log,
  logLevelOption,
  numberOption,
  readOptions,
  UsageError,
  redmineVersion,
  runBench,
  startRedmineProxy,
  startTemporal,
} from './mirror-latency.js';

const USAGE = `usage: npx tsx bench/vilogi.ts [--requests=1000] [--redmine=on|off] [--files-every=10] [--triage-every=100] [--failure-rate=0] [--timeout-rate=0] [--concurrency=8] [--floor-sample=200] [--log-level=silent]`;

/** All cores' busy and total CPU time so far (ms), to tell how busy the machine was during a span. */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times: t } of os.cpus()) {
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/** Runs `step` over 0…count-1, `limit` at a time. */
async function inLanes(count: number, limit: number, step: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) await step(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

let budget = 60 * 60_000;

async function main(): Promise<number> {
  const raw = readOptions(
    process.argv.slice(2),
    {
      requests: { env: 'BENCH_REQUESTS', default: '1000' },
      redmine: { env: 'BENCH_REDMINE', default: 'on' },
      'files-every': { env: 'BENCH_FILES_EVERY', default: '10' },
      'triage-every': { env: 'BENCH_TRIAGE_EVERY', default: '100' },
      'failure-rate': { env: 'BENCH_FAILURE_RATE', default: '0' },
      'timeout-rate': { env: 'BENCH_TIMEOUT_RATE', default: '0' },
      concurrency: { env: 'BENCH_CONCURRENCY', default: '8' },
      'floor-sample': { env: 'BENCH_FLOOR_SAMPLE', default: '200' },
      'log-level': { env: 'BENCH_LOG_LEVEL', default: 'silent' },
    },
    USAGE,
  );
  const n = numberOption('requests', raw.requests!, 1, 20_000);
  const filesEvery = numberOption('files-every', raw['files-every']!, 0, 20_000);
  const triageEvery = numberOption('triage-every', raw['triage-every']!, 0, 20_000);
  const failureRate = numberOption('failure-rate', raw['failure-rate']!, 0, 0.9, false);
  const timeoutRate = numberOption('timeout-rate', raw['timeout-rate']!, 0, 0.9, false);
  const concurrency = numberOption('concurrency', raw.concurrency!, 1, 64);
  const floorSample = numberOption('floor-sample', raw['floor-sample']!, 1, 20_000);
  const logLevel = logLevelOption(raw['log-level']!);
  if (raw.redmine !== 'on' && raw.redmine !== 'off') throw new UsageError(`--redmine must be on or off\n${USAGE}`);
  const withRedmine = raw.redmine === 'on';
  budget = Math.max(10 * 60_000, n * 5_000);

  const env = await benchEnv();
  const [temporalAddress, database, project, proxy] = await Promise.all([
    startTemporal(env),
    createDatabase(env),
    withRedmine ? createRedmineProject(env, 'vilogi') : undefined,
    withRedmine ? startRedmineProxy(env) : undefined,
  ]);
  const space = await createSpace(database.db, 'Gestion locative');

  const sim = await startVilogiSimulator({ seed: 1 });
  defer('stop the Vilogi simulator', () => sim.close());
  const tag = randomBytes(3).toString('hex');
  for (let i = 0; i < n; i++) {
    const triage = triageEvery > 0 && i % triageEvery === triageEvery - 1;
    sim.add({
      subject: `Demande ${tag} ${i}`,
      author: { email: triage ? null : `client-${tag}-${i}@bench.guichet.test`, name: `Client ${i}` },
      building: 'Résidence Bench',
      lot: `Lot ${i}`,
      service: 'gestion',
      body: `Bonjour,\nvoici la demande ${i}.`,
      attachments:
        filesEvery > 0 && i % filesEvery === 0
          ? [{ id: `F${i}`, fileName: `piece-${i}.pdf`, contentType: 'application/pdf', data: tinyPdf(`piece ${i}`) }]
          : [],
    });
  }

  const config = loadConfig({
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: `bench-${tag}`,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: await mkdtemp(path.join(env.tmp, 'guichet-')),
    SESSION_SECRET: randomBytes(32).toString('hex'),
    DEMO_DATA: 'false',
    LOG_LEVEL: logLevel,
    ...(proxy && project
      ? {
          REDMINE_URL: proxy.url,
          REDMINE_API_KEY: env.redmineApiKey,
          REDMINE_PROJECTS: `${space.slug}=${project.identifier}`,
          REDMINE_POLL_SECONDS: '300',
          REDMINE_RESCAN_MINUTES: '1440',
          VILOGI_SERVICES: `*=${project.identifier}`,
          VILOGI_TRIAGE_PROJECT: project.identifier,
        }
      : { VILOGI_SERVICES: `*=${space.slug}` }),
    VILOGI_URL: sim.url,
    VILOGI_SYNC_MINUTES: '1440',
    VILOGI_TIMEOUT_SECONDS: '2',
    VILOGI_IMPORT_CONCURRENCY: String(concurrency),
  });
  const system = await startSystem({ config, server: false, worker: true, logger: pino({ level: logLevel }) });
  defer('stop Guichet', () => system.stop());
  const connection = await Connection.connect({ address: temporalAddress });
  defer('close the Temporal connection', () => connection.close());
  const client = new Client({ connection });

  const busy = await hostBusy();
  const loadBefore = os.loadavg()[0]!;
  log(`${n} pending requests; machine ${busy.toFixed(0)} % busy before the run, load ${loadBefore.toFixed(2)}`);
  const loads: number[] = [];
  const loadTimer = setInterval(() => loads.push(os.loadavg()[0]!), 5000);
  defer('stop sampling the load', async () => clearInterval(loadTimer));
  const cpuBefore = cpuTimes();
  const ownCpuBefore = process.cpuUsage();
  proxy?.resetCount();
  sim.resetStats();
  sim.setFaults({ failureRate, timeoutRate, hangMs: 5000 });
  const started = performance.now();
  const started0 = Date.now();
  const handle = await client.workflow.start(vilogiSyncWorkflow, {
    workflowId: `bench-vilogi-${tag}`,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [{ trigger: 'manual' }],
  });
  // Stopped before the connection closes on an early cleanup (Ctrl-C, watchdog).
  const finished = handle.result();
  finished.catch(() => undefined);
  const stopRun = defer('terminate the sync run', () =>
    handle.terminate('benchmark stopped').then(
      () => undefined,
      () => undefined,
    ),
  );
  const result = await finished;
  await stopRun();
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuTimes();
  const ownCpu = process.cpuUsage(ownCpuBefore);
  clearInterval(loadTimer);
  const busyDuring = (100 * (cpuAfter.busy - cpuBefore.busy)) / Math.max(1, cpuAfter.total - cpuBefore.total);
  sim.setFaults({ failureRate: 0, timeoutRate: 0 });

  // Where the run's time went: per activity type, how many, and from the first start to the last end.
  const history = await handle.fetchHistory();
  const scheduled = new Map<string, { type: string; at: number }>();
  const phases = new Map<string, { count: number; first: number; last: number; busy: number }>();
  for (const e of history.events ?? []) {
    const at = tsToMs(e.eventTime);
    const s1 = e.activityTaskScheduledEventAttributes;
    if (s1) scheduled.set(String(e.eventId), { type: s1.activityType?.name ?? '?', at });
    const done = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
    const start = done ? scheduled.get(String(done.scheduledEventId)) : undefined;
    if (!start) continue;
    const p = phases.get(start.type) ?? { count: 0, first: start.at, last: at, busy: 0 };
    p.count++;
    p.first = Math.min(p.first, start.at);
    p.last = Math.max(p.last, at);
    p.busy += at - start.at;
    phases.set(start.type, p);
  }

  // What one request costs Temporal: the history of the first request's conversation workflow
  // (its signal-with-start, then its workflow tasks, activity tasks and local activities).
  const firstConversation = await database.db
    .selectFrom('vilogi_requests')
    .select('conversation_id')
    .where('conversation_id', 'is not', null)
    .orderBy('vilogi_id')
    .executeTakeFirst();
  const perRequest = { workflowTasks: 0, activityTasks: 0, localActivities: 0, timers: 0, events: 0 };
  if (firstConversation?.conversation_id) {
    const events =
      (await client.workflow.getHandle(`conversation-${firstConversation.conversation_id}`).fetchHistory()).events ??
      [];
    for (const e of events) {
      perRequest.events++;
      if (e.workflowTaskCompletedEventAttributes) perRequest.workflowTasks++;
      if (e.activityTaskScheduledEventAttributes) perRequest.activityTasks++;
      if (e.timerStartedEventAttributes) perRequest.timers++;
      if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') perRequest.localActivities++;
    }
  }

  // Exactly once in Redmine too: as many issues in the project as requests (conversations and
  // triage share the project), counted before the floor adds its own.
  const direct = project ? createRedmineClient({ baseUrl: env.redmineUrl, apiKey: env.redmineApiKey }) : undefined;
  const issuesInRedmine =
    direct && project ? (await direct.listIssues({ projectIds: [project.id], limit: 1 })).totalCount : undefined;

  // The anchor: Redmine's floor for one issue creation per request at the run's concurrency.
  let floor: { sample: number; seconds: number; perSecond: number } | undefined;
  if (direct && project) {
    const sample = Math.min(floorSample, n);
    const t0 = performance.now();
    await inLanes(sample, concurrency, async (i) => {
      await direct.createIssue({
        projectId: project.id,
        subject: `Plancher ${tag} ${i}`,
        description: `Écrit par Client ${i} (client-floor-${i}@bench.guichet.test)\n\nBonjour,\nvoici la demande ${i}.`,
        customFields: [{ id: project.emailFieldId, value: `client-floor-${tag}-${i}@bench.guichet.test` }],
      });
    });
    const floorSeconds = (performance.now() - t0) / 1000;
    floor = { sample, seconds: floorSeconds, perSecond: sample / floorSeconds };
  }
  // Without Redmine, the anchor is Temporal's floor: what each request needs at best from it, one
  // conversation workflow started with its first signal, at the same concurrency on the same
  // server (a task queue no worker polls, so that only the starts are counted).
  let temporalFloor: { sample: number; seconds: number; perSecond: number } | undefined;
  if (!withRedmine) {
    const sample = Math.min(floorSample, n);
    const t0 = performance.now();
    await inLanes(sample, concurrency, async (i) => {
      await client.workflow.signalWithStart('benchFloor', {
        workflowId: `bench-floor-${tag}-${i}`,
        taskQueue: `bench-floor-${tag}`,
        signal: 'clientMessage',
        signalArgs: [{ messageId: `m-${i}` }],
      });
    });
    const floorSeconds = (performance.now() - t0) / 1000;
    temporalFloor = { sample, seconds: floorSeconds, perSecond: sample / floorSeconds };
  }
  const floorForRun = floor ? n / floor.perSecond : temporalFloor ? n / temporalFloor.perSecond : undefined;

  // Redmine calls by kind (the path's numbers folded), and Vilogi's.
  const byKind = new Map<string, number>();
  for (const r of proxy?.requests ?? []) {
    const kind = `${r.method} ${r.path.replace(/\/\d+/g, '/:id')}`;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  }
  const redmineCalls = proxy?.requests.length ?? 0;
  const vilogi = sim.stats();
  const vilogiCalls = Object.values(vilogi.calls).reduce((a, b) => a + b, 0);

  // Exactly once: one row and one processing event per request, one issue per conversation.
  const rows = await database.db
    .selectFrom('vilogi_requests')
    .select(['vilogi_id', 'kind', 'conversation_id', 'vilogi_event_id', 'redmine_issue_id'])
    .execute();
  const conversations = await database.db.selectFrom('conversations').select(['id', 'redmine_issue_id']).execute();
  const issueIds = new Set(conversations.map((c) => c.redmine_issue_id).filter((id) => id !== null));
  const processedInVilogi = sim.all().filter((r) => r.status === 'processed');
  const eventsMatch = rows.every((row) => sim.get(row.vilogi_id)?.processed?.eventId === row.vilogi_event_id);
  const triageRows = rows.filter((r) => r.kind === 'triage');
  const ok =
    result.failed === 0 &&
    rows.length === n &&
    processedInVilogi.length === n &&
    eventsMatch &&
    conversations.length === n - triageRows.length &&
    (!withRedmine ||
      (issueIds.size === conversations.length &&
        triageRows.every((r) => r.redmine_issue_id !== null) &&
        issuesInRedmine === n));

  const lines = [
    '',
    `npx tsx bench/vilogi.ts --requests=${n} --redmine=${raw.redmine} --files-every=${filesEvery} --triage-every=${triageEvery} --failure-rate=${failureRate} --timeout-rate=${timeoutRate} --concurrency=${concurrency} --floor-sample=${floorSample}`,
    `${new Date().toISOString()} · ${os.cpus().length} vCPU · Redmine ${await redmineVersion()} · PostgreSQL ${database.version}`,
    `machine: ${busy.toFixed(0)} % busy before (load ${loadBefore.toFixed(2)}), ${busyDuring.toFixed(0)} % during (load average mean ${loads.length > 0 ? (loads.reduce((a, b) => a + b, 0) / loads.length).toFixed(2) : '-'}, max ${loads.length > 0 ? Math.max(...loads).toFixed(2) : '-'})`,
    '',
    '| measure | result |',
    '|---|---|',
    `| run duration | ${seconds.toFixed(1)} s (${(n / seconds).toFixed(1)} requests/s), ${concurrency} at once |`,
    `| CPU of this process (Guichet's worker, the simulator) during the run | ${((ownCpu.user + ownCpu.system) / 1e6).toFixed(1)} s (user ${(ownCpu.user / 1e6).toFixed(1)} s, system ${(ownCpu.system / 1e6).toFixed(1)} s) |`,
    floor && floorForRun !== undefined
      ? `| anchor: Redmine's floor | ${floor.sample} issue creations at ${concurrency} at once in ${floor.seconds.toFixed(1)} s (${floor.perSecond.toFixed(1)}/s): ${floorForRun.toFixed(1)} s for ${n} requests; **ratio ${(seconds / floorForRun).toFixed(2)}×** |`
      : temporalFloor && floorForRun !== undefined
        ? `| anchor: Temporal's floor | ${temporalFloor.sample} workflow starts with a signal at ${concurrency} at once in ${temporalFloor.seconds.toFixed(1)} s (${temporalFloor.perSecond.toFixed(1)}/s): ${floorForRun.toFixed(1)} s for ${n} requests; **ratio ${(seconds / floorForRun).toFixed(2)}×** |`
        : '| anchor | none |',
    ...[...phases]
      .sort((a, b) => a[1].first - b[1].first)
      .map(
        ([type, p]) =>
          `| · activity ${type} | ${p.count}, from ${((p.first - started0) / 1000).toFixed(1)} s to ${((p.last - started0) / 1000).toFixed(1)} s, ${(p.busy / 1000).toFixed(1)} s in all |`,
      ),
    `| Temporal per request (the first request's conversation workflow) | 1 signal-with-start; ${perRequest.workflowTasks} workflow tasks, ${perRequest.activityTasks} activity tasks, ${perRequest.localActivities} local activities, ${perRequest.timers} timers, ${perRequest.events} history events |`,
    `| run result | fetched ${result.fetched}, created ${result.created}, triage ${result.triage}, known ${result.known}, processed ${result.processed}, failed ${result.failed} |`,
    withRedmine
      ? `| Redmine calls | ${redmineCalls} (${(redmineCalls / n).toFixed(2)} per request) |`
      : '| Redmine | not configured: conversations not mirrored |',
    ...[...byKind]
      .sort((a, b) => b[1] - a[1])
      .map(([kind, count]) => `| · ${kind} | ${count} (${(count / n).toFixed(2)}) |`),
    `| Vilogi calls | ${vilogiCalls} (${(vilogiCalls / n).toFixed(2)} per request): ${Object.entries(vilogi.calls)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; injected ${vilogi.failuresInjected} failures, ${vilogi.timeoutsInjected} timeouts |`,
    `| exactly once | ${ok ? 'yes' : 'NO'}: ${rows.length} rows, ${processedInVilogi.length} processed in Vilogi (events match: ${eventsMatch}), ${conversations.length} conversations, ${issueIds.size} distinct issues, ${triageRows.length} triage issues${issuesInRedmine !== undefined ? `, ${issuesInRedmine} issues in the Redmine project` : ''} |`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
  return ok ? 0 : 1;
}

await runBench(main, () => budget);
