// Assembles Guichet from its configuration: database, Temporal, mail, worker and HTTP server.
// The run command starts everything in one process; http-server.ts and worker.ts start one role.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, type Worker, type WorkerOptions } from '@temporalio/worker';
import type { LogLevel, LogMetadata } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { ConfigError, sharedSecretProblems, type Config } from '../config.js';
import { createMailer, type Mailer } from '../connectors/mail/index.js';
import { configuredSmsProvider } from '../app/sms.js';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../db/connect.js';
import { LOG_REDACT, buildApp } from '../server/app.js';
import { buildMetricsApp } from '../server/features/operations/metrics.js';
import { createMetrics, type GuichetMetrics } from '../server/plugins/metrics.js';
import type { Registry } from 'prom-client';
import { createTemporalGateway } from '../temporal/gateway.js';
import { casesWithoutCollection } from '../db/documents.js';
import { endpointIds } from '../db/webhooks.js';
import { startPendingCollections } from '../app/documents.js';
import { resolveMirrorContext, type RedmineMirrorContext } from '../connectors/redmine/mirror-context.js';
import type { Db } from '../db/connect.js';
import type { WorkflowGateway } from '../app/workflow-gateway.js';
import { createFileStorage, createS3FileStorage, type FileStorage } from '../app/file-storage.js';
import { StorageConfigError } from '../connectors/storage/index.js';
import { seedDemoData, type DemoCredentials } from './demo-data.js';
import { startDevServer, type DevServer } from './temporal-dev-server.js';
import { createGuichetWorker, workerTuning } from './worker.js';
import { ensureRetentionSchedule } from './retention.js';
import { ensureStaffAccessSchedule } from './staff-access.js';
import { resolveStaffAccess } from '../app/staff-access.js';
import { ensureSessionPurgeSchedule } from './session-purge.js';
import { ensureDataPurgeSchedule } from './data-purge.js';
import {
  ensureVilogiSchedule,
  resolveVilogiSettings,
  startDemoVilogi,
  startVilogiSyncNow,
  stoppedVilogiRuns,
} from './vilogi.js';

export interface SystemOptions {
  config: Config;
  server: boolean;
  worker: boolean;
  logger?: Logger;
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export interface RunningSystem {
  config: Config;
  url: string | undefined;
  temporalAddress: string;
  temporalUiUrl: string | undefined;
  demo: DemoCredentials | undefined;
  /** The loopback-only metrics listener (METRICS_PORT), e.g. http://127.0.0.1:9464. */
  metricsUrl: string | undefined;
  /** The Temporal worker's Prometheus endpoint (WORKER_METRICS_PORT), when this process installed it. */
  workerMetricsUrl: string | undefined;
  /** This process's metrics registry. */
  metrics: GuichetMetrics;
  /** The Vilogi simulator the demo started (no VILOGI_URL). */
  vilogiSimulatorUrl: string | undefined;
  database: OpenDatabase;
  app: FastifyInstance | undefined;
  stop(): Promise<void>;
}

export function createLogger(config: Config): Logger {
  return pino({ level: config.LOG_LEVEL, redact: { paths: LOG_REDACT, censor: '[redacted]' } });
}

/** The SDK's logs go to our logger; bundling chatter only at debug level. Once per process.
 * Workflow and activity log lines carry the SDK's metadata (workflowId, runId, workflowType,
 * activityType…), passed on as fields. With `prometheus` (host:port) the SDK's own metrics
 * (task slots, poll and schedule-to-start latencies…) are served there; whether it was this call
 * that installed the runtime (a test process may have installed one before) is returned. */
export function installTemporalRuntime(log: Logger, prometheus?: string): boolean {
  const forward = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const target = log.child({ component: 'temporal' });
    const fields = { ...(meta ?? {}) };
    switch (level) {
      case 'ERROR':
        return target.error(fields, message);
      case 'WARN':
        return target.warn(fields, message);
      case 'INFO':
        return target.debug(fields, message);
      default:
        return target.trace(fields, message);
    }
  };
  try {
    Runtime.install({
      ...(prometheus
        ? { telemetryOptions: { metrics: { prometheus: { bindAddress: prometheus, useSecondsForDurations: true } } } }
        : {}),
      logger: {
        log: forward,
        trace: (m, meta) => forward('TRACE', m, meta),
        debug: (m, meta) => forward('DEBUG', m, meta),
        info: (m, meta) => forward('INFO', m, meta),
        warn: (m, meta) => forward('WARN', m, meta),
        error: (m, meta) => forward('ERROR', m, meta),
      },
    });
    return true;
  } catch {
    // Already installed in this process (tests): keep the first one.
    return false;
  }
}

/** host:port for an address Temporal's exporter binds (IPv6 hosts in brackets). */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * SESSION_SECRET; else, in the embedded run (one process by construction), one generated once and
 * kept (0600) in the data directory. On an external database several processes may serve the
 * deployment: a server refuses to start without SESSION_SECRET (a secret of its own machine would
 * make the other servers refuse its forms); a worker signs nothing and needs none.
 */
async function sessionSecret(config: Config, roles: { server: boolean }): Promise<string | undefined> {
  const problems = sharedSecretProblems(config, roles);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  if (!config.embeddedDatabase) return undefined;
  const file = path.join(config.dataDir, 'session-secret');
  const existing = await readFile(file, 'utf8').catch(() => undefined);
  if (existing && existing.trim().length >= 32) return existing.trim();
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

// Long as a whole: the composition root, which builds and wires every part in order (the
// Redmine check, the worker's background work and the metrics listener are helpers below).
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const log = options.logger ?? createLogger(options.config);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        log.warn({ err }, 'error while stopping');
      }
    }
  };

  try {
    await mkdir(options.config.dataDir, { recursive: true });
    const config: Config = { ...options.config, SESSION_SECRET: await sessionSecret(options.config, options) };

    const database = await openDatabase({
      url: config.DATABASE_URL,
      embeddedDir: path.join(config.dataDir, 'postgres'),
      poolSize: config.DATABASE_POOL_SIZE,
    });
    stops.push(() => database.close());
    const migrations = await migrateToLatest(database.db);
    log.info({ database: database.kind, applied: migrations.results?.length ?? 0 }, 'database ready');

    // One registry per process: process metrics, HTTP, Redmine calls, database figures at scrape time.
    const metrics = createMetrics(database.db, { defaults: true });

    let devServer: DevServer | undefined;
    let temporalAddress = config.TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      devServer = await startDevServer({
        dataDir: config.dataDir,
        port: config.TEMPORAL_DEV_PORT,
        uiPort: config.TEMPORAL_DEV_UI_PORT,
        namespace: config.TEMPORAL_NAMESPACE,
        cliPath: config.TEMPORAL_CLI_PATH,
        logger: log,
      });
      stops.push(() => devServer!.stop());
      temporalAddress = devServer.address;
    }

    // Deposited files: shared by the server (which writes them) and the worker (which sends them on).
    const storage = await openStorage(config, log, stops);

    const demo = config.demoData ? await seedDemoData(database.db, config.dataDir) : undefined;

    // Checked before anything runs: a Redmine that would publish private notes stops the start.
    const redmine = await resolveRedmine(config, log, metrics);
    const staffAccess = await resolveStaffAccess(config, redmine);
    if (staffAccess && !staffAccess.adminKey) {
      log.error(
        'STAFF_LOGIN is redmine but REDMINE_API_KEY is not an administrator’s: Redmine would not say who is locked or an administrator, so no staff member can sign in (use an administrator’s key, or STAFF_LOGIN=local)',
      );
    }

    const connection = await Connection.connect({ address: temporalAddress });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const workflows = createTemporalGateway(client, config.TEMPORAL_TASK_QUEUE);

    // Vilogi: the configured gateway, or on the demo a simulator with demo requests.
    let vilogiUrl = config.VILOGI_URL;
    let vilogiSimulatorUrl: string | undefined;
    if (!vilogiUrl && config.demoData) {
      const simulator = await startDemoVilogi();
      stops.push(() => simulator.close());
      vilogiUrl = vilogiSimulatorUrl = simulator.url;
    }
    const vilogi = vilogiUrl ? await resolveVilogiSettings(config, vilogiUrl, redmine, workflows) : undefined;

    let mailer: Mailer | undefined;
    let worker: Worker | undefined;
    let workerMetricsUrl: string | undefined;
    if (options.worker) {
      const prometheus =
        config.WORKER_METRICS_PORT !== undefined
          ? hostPort(config.WORKER_METRICS_HOST, config.WORKER_METRICS_PORT)
          : undefined;
      if (installTemporalRuntime(log, prometheus) && prometheus) workerMetricsUrl = `http://${prometheus}`;
      else if (prometheus) log.warn('the Temporal runtime was already installed: WORKER_METRICS_PORT is not served');
      mailer = createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
      stops.push(() => Promise.resolve(mailer!.close()));
      const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
      stops.push(() => nativeConnection.close());
      worker = await createGuichetWorker({
        connection: nativeConnection,
        namespace: config.TEMPORAL_NAMESPACE,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        deps: {
          db: database.db,
          mailer,
          publicUrl: config.publicUrl,
          redmine,
          signals: workflows,
          notifier: workflows,
          notifyGraceSeconds: config.NOTIFY_GRACE_SECONDS,
          noteFormatting: config.REDMINE_TEXT_FORMATTING,
          sms: configuredSmsProvider(database.db, config),
          storage,
          vilogi,
          staffAccess,
          webhookPolicy: config.webhooks,
        },
        workflowBundle: options.workflowBundle,
        tuning: workerTuning({
          memoryMb: config.WORKER_MEMORY_MB,
          cachedWorkflows: config.WORKER_CACHED_WORKFLOWS,
          workflowTasks: config.WORKER_WORKFLOW_TASKS,
          activities: config.WORKER_ACTIVITIES,
        }),
      });
      const running = worker.run();
      running.catch((err: unknown) => log.fatal({ err }, 'the Temporal worker stopped'));
      stops.push(async () => {
        if (worker!.getState() === 'RUNNING') worker!.shutdown();
        await running.catch(() => undefined);
      });
      await scheduleBackgroundWork({
        config,
        db: database.db,
        client,
        workflows,
        redmine: redmine !== undefined,
        vilogi: vilogi !== undefined,
        staffAccess: staffAccess !== undefined,
        demoVilogi: vilogiSimulatorUrl !== undefined,
        log,
      });
    }

    let app: FastifyInstance | undefined;
    let url: string | undefined;
    if (options.server) {
      const vilogiDeps = vilogi
        ? {
            syncNow: () => startVilogiSyncNow(client, config.TEMPORAL_TASK_QUEUE),
            stoppedRuns: (ids: readonly string[]) => stoppedVilogiRuns(client, ids),
          }
        : undefined;
      const built = await buildApp(
        { config, db: database.db, workflows, redmine, storage, vilogi: vilogiDeps, staffAccess, metrics },
        { logger: log.child({ component: 'http' }) },
      );
      app = built;
      stops.push(() => built.close());
      await built.listen({ port: config.PORT, host: config.HOST });
      const address = built.server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      url = config.PUBLIC_URL ?? `http://localhost:${port}`;
    }

    // Metrics without a token: on their own listener, reachable from this machine only (a
    // worker process too: its Redmine calls, event loop and memory are its own).
    let metricsUrl: string | undefined;
    if (config.METRICS_PORT !== undefined) {
      const listener = await startMetrics(metrics.registry, config.METRICS_PORT, log);
      stops.push(() => listener.close());
      metricsUrl = listener.url;
    }

    return {
      config,
      url,
      temporalAddress,
      temporalUiUrl: devServer?.uiUrl,
      demo,
      metricsUrl,
      workerMetricsUrl,
      metrics,
      vilogiSimulatorUrl,
      database,
      app,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The files clients deposit: in the bucket of STORAGE_URL, checked before anything runs (a
 * missing bucket, refused credentials or an unreachable endpoint stop the start with a message
 * saying what to fix), else in the local directory (the embedded default).
 */
async function openStorage(config: Config, log: Logger, stops: Array<() => Promise<void>>): Promise<FileStorage> {
  if (config.storage.kind === 'local') {
    await mkdir(config.storageDir, { recursive: true, mode: 0o700 });
    return createFileStorage(config.storageDir);
  }
  try {
    const s3 = createS3FileStorage(config.storage.url, config.storage.credentials);
    stops.push(() => Promise.resolve(s3.close()));
    await s3.check();
    log.info({ storage: s3.description }, 'file storage ready');
    return s3;
  } catch (err) {
    if (err instanceof StorageConfigError) throw new ConfigError(err.message, { cause: err });
    throw err;
  }
}

/** The Redmine mirror's context when Redmine is configured (checked: it stops the start when wrong). */
async function resolveRedmine(
  config: Config,
  log: Logger,
  metrics: GuichetMetrics,
): Promise<RedmineMirrorContext | undefined> {
  const redmine =
    config.REDMINE_URL && config.REDMINE_API_KEY
      ? await resolveMirrorContext({
          url: config.REDMINE_URL,
          apiKey: config.REDMINE_API_KEY,
          projects: config.redmineProjects,
          emailField: config.REDMINE_EMAIL_FIELD,
          ccField: config.REDMINE_CC_FIELD,
          feedbackStatus: config.REDMINE_STATUS_FEEDBACK,
          resolvedStatus: config.REDMINE_STATUS_RESOLVED,
          staffNames: config.REDMINE_STAFF_NAMES,
          teamName: config.REDMINE_TEAM_NAME,
          textFormatting: config.REDMINE_TEXT_FORMATTING,
          observer: (call) => metrics.observeRedmineCall(call),
        })
      : undefined;
  if (redmine)
    log.info(
      { projects: Object.fromEntries(redmine.projectIdBySlug), adminKey: redmine.adminKey },
      'Redmine mirror ready',
    );
  return redmine;
}

/** What the worker starts besides serving workflows: pending collections, schedules, the Redmine sync. */
async function scheduleBackgroundWork(w: {
  config: Config;
  db: Db;
  client: Client;
  workflows: WorkflowGateway;
  redmine: boolean;
  vilogi: boolean;
  staffAccess: boolean;
  /** The demo's Vilogi simulator: its requests are shown at once. */
  demoVilogi: boolean;
  log: Logger;
}): Promise<void> {
  const { config, client, workflows, log } = w;
  // Cases written outside Guichet's routes (demo data, imports) start their collection here.
  await startPendingCollections(w.db, workflows, await casesWithoutCollection(w.db));
  const retentionSchedule = await ensureRetentionSchedule(client, config.TEMPORAL_TASK_QUEUE);
  log.debug({ scheduleId: retentionSchedule }, 'retention sweep scheduled');
  if (w.staffAccess) {
    const scheduleId = await ensureStaffAccessSchedule(client, config.TEMPORAL_TASK_QUEUE);
    log.debug({ scheduleId }, 'staff access re-check scheduled');
  }
  const purgeSchedule = await ensureSessionPurgeSchedule(client, config.TEMPORAL_TASK_QUEUE, {
    idleMinutes: config.SESSION_IDLE_MINUTES,
    maxHours: config.SESSION_MAX_HOURS,
  });
  log.debug({ scheduleId: purgeSchedule }, 'session purge scheduled');
  const dataPurgeSchedule = await ensureDataPurgeSchedule(client, config.TEMPORAL_TASK_QUEUE, {
    apiChangesRetentionDays: config.API_CHANGES_RETENTION_DAYS,
  });
  log.debug({ scheduleId: dataPurgeSchedule }, 'data purge scheduled');
  // Each webhook endpoint's delivery workflow runs (idempotent: a running one is only woken).
  for (const endpointId of await endpointIds(w.db)) await workflows.webhookEndpoint(endpointId);
  if (w.redmine) {
    await workflows.ensureRedmineSync({
      pollMs: config.REDMINE_POLL_SECONDS * 1000,
      idlePollMs: Math.max(config.REDMINE_POLL_SECONDS, config.REDMINE_POLL_IDLE_SECONDS) * 1000,
      activeMs: config.REDMINE_POLL_ACTIVE_SECONDS * 1000,
      watchMs: config.REDMINE_POLL_WATCH_SECONDS * 1000,
      concurrency: config.REDMINE_POLL_CONCURRENCY,
      rescanMs: config.REDMINE_RESCAN_MINUTES * 60_000,
    });
  }
  if (w.vilogi) {
    const scheduleId = await ensureVilogiSchedule(client, {
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      everyMinutes: config.VILOGI_SYNC_MINUTES,
      catchupMinutes: config.VILOGI_CATCHUP_MINUTES,
    });
    log.info({ scheduleId, everyMinutes: config.VILOGI_SYNC_MINUTES }, 'Vilogi sync scheduled');
    // The demo shows its requests at once rather than at the next quarter of an hour.
    if (w.demoVilogi) await startVilogiSyncNow(client, config.TEMPORAL_TASK_QUEUE);
  }
}

/** Metrics without a token: on their own listener, reachable from this machine only. */
async function startMetrics(
  registry: Registry,
  port: number,
  log: Logger,
): Promise<{ url: string; close(): Promise<void> }> {
  const metrics = await buildMetricsApp(registry, log.child({ component: 'metrics' }));
  try {
    await metrics.listen({ port, host: '127.0.0.1' });
  } catch (err) {
    await metrics.close();
    throw err;
  }
  const address = metrics.server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`,
    close: () => metrics.close(),
  };
}

/** Stops on SIGINT/SIGTERM, once. */
export function stopOnSignals(system: RunningSystem, log: Logger): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    system.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
