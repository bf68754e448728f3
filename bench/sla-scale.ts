// SLA at scale: N open conversations, each with a live answer clock, on the Temporal dev server.
// Measures how fast the conversations start (signal-with-start, then the clock recorded), the
// worker's memory, and how late the reminders fire when they all fall due together.
//
//   npx tsx bench/sla-scale.ts [--conversations=10000] [--concurrency=50] [--target-seconds=240]
//
// Every request is dated at the same instant and a clock counts from its request's time, so every
// reminder (75 % of the target) falls due at once; the target must leave time for all the
// conversations to start first. Loopback only; bounded by a
// watchdog; the database and temporary directories are removed at the end.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../config.js';
import { migrateToLatest, openDatabase } from '../db/connect.js';
import { freePort } from '../runtime/ports.js';
import { startSystem } from '../runtime/system.js';
import { startDevServer } from '../runtime/temporal-dev-server.js';
import { createTemporalGateway } from '../temporal/gateway.js';
import { loadServicesEnv } from '../tests/helpers/services-env.js';

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = Number(arg?.split('=')[1] ?? process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<number> {
  loadServicesEnv();
  const n = option('conversations', 10_000);
  const concurrency = option('concurrency', 50);
  const targetSeconds = option('target-seconds', 240);
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set (bash scripts/provision.sh)');
  const watchdogMs = Math.max(30 * 60_000, targetSeconds * 2000 + 20 * 60_000);
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench/sla-scale: watchdog expired (${Math.round(watchdogMs / 60_000)} min)\n`);
    process.exit(2);
  }, watchdogMs);
  watchdog.unref();

  const dbName = `guichet_bench_sla_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'guichet-bench-sla-'));
  const log = pino({ level: 'silent' });
  const temporal = await startDevServer({
    dataDir: tmp,
    dbDir: tmp,
    port: await freePort(),
    uiPort: 0,
    headless: true,
    namespace: 'default',
    logger: log,
    cliPath: process.env.TEMPORAL_CLI_PATH,
  });
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
    });
    const rssBefore = process.memoryUsage().rss;
    const system = await startSystem({ config, server: false, worker: true, logger: log });
    const connection = await Connection.connect({ address: temporal.address });
    const gateway = createTemporalGateway(new Client({ connection }), 'bench-sla');
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
      const signalled = Date.now() - t0;
      process.stderr.write(`signal-with-start: ${n} in ${(signalled / 1000).toFixed(1)} s\n`);
      // Started = its clock is recorded.
      const db = system.database.db;
      let clocks = 0;
      let peakRss = process.memoryUsage().rss;
      while (clocks < n) {
        const row = await db
          .selectFrom('conversations')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('sla_max_at', 'is not', null)
          .executeTakeFirstOrThrow();
        clocks = Number(row.n);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        if (Date.now() - t0 > targetSeconds * 750)
          throw new Error(
            `only ${clocks}/${n} clocks started before the first reminders fell due: raise --target-seconds`,
          );
        await new Promise((r) => setTimeout(r, 500));
      }
      const started = Date.now() - t0;
      process.stderr.write(`clocks recorded: ${n} in ${(started / 1000).toFixed(1)} s; waiting for the reminders\n`);
      if (process.env.BENCH_SLA_HISTORY) {
        // Where a start spends its time: the first events of one conversation's history.
        const sample = ids[Math.floor(n / 2)]!;
        const history = await new Client({ connection }).workflow
          .getHandle(`conversation-${sample.conversationId}`)
          .fetchHistory();
        const first =
          Number(history.events?.[0]?.eventTime?.seconds ?? 0) * 1000 +
          Math.round((history.events?.[0]?.eventTime?.nanos ?? 0) / 1e6);
        for (const e of history.events ?? []) {
          const at = Number(e.eventTime?.seconds ?? 0) * 1000 + Math.round((e.eventTime?.nanos ?? 0) / 1e6);
          process.stderr.write(`  +${at - first} ms  ${String(e.eventType)}\n`);
        }
      }

      // Reminders: due at 75 % of the target after the requests were written.
      let reminders = 0;
      const waitUntil = Date.now() + targetSeconds * 1000 + 15 * 60_000;
      while (reminders < n && Date.now() < waitUntil) {
        const row = await db
          .selectFrom('notifications')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('idempotency_key', 'like', 'sla-reminder:%')
          .where('status', '=', 'sent')
          .executeTakeFirstOrThrow();
        reminders = Number(row.n);
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        await new Promise((r) => setTimeout(r, 1000));
      }
      const rows = await db
        .selectFrom('notifications')
        .innerJoin('conversations', 'conversations.id', 'notifications.conversation_id')
        .select([
          'notifications.sent_at',
          'notifications.idempotency_key',
          'conversations.sla_started_at',
          'conversations.sla_target_at',
        ])
        .where('notifications.idempotency_key', 'like', 'sla-reminder:%')
        .execute();
      const lags = rows
        .map((r) => {
          const due = r.sla_started_at!.getTime() + 0.75 * (r.sla_target_at!.getTime() - r.sla_started_at!.getTime());
          return (r.sent_at?.getTime() ?? Number.NaN) - due;
        })
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
      const dues = rows.map(
        (r) => r.sla_started_at!.getTime() + 0.75 * (r.sla_target_at!.getTime() - r.sla_started_at!.getTime()),
      );
      const sent = rows.map((r) => r.sent_at?.getTime() ?? 0);
      const distinctKeys = new Set(rows.map((r) => r.idempotency_key)).size;

      const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      process.stdout.write(
        [
          `bench/sla-scale — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} CPUs`,
          `command: npx tsx bench/sla-scale.ts --conversations=${n} --concurrency=${concurrency} --target-seconds=${targetSeconds}`,
          '',
          `| measure | value |`,
          `|---|---|`,
          `| conversations with a live SLA clock | ${n} |`,
          `| signal-with-start, ${concurrency} at a time | ${fmt(signalled)} (${Math.round((n / signalled) * 1000)} per second) |`,
          `| until every clock was recorded | ${fmt(started)} (${Math.round((n / started) * 1000)} per second) |`,
          `| reminders sent | ${reminders} (${distinctKeys} distinct; ${rows.length - distinctKeys} duplicates) |`,
          `| reminders fell due within | ${fmt(Math.max(...dues) - Math.min(...dues))} of each other |`,
          `| from the first due to the last sent | ${fmt(Math.max(...sent) - Math.min(...dues))} |`,
          `| lateness p50 / p99 / max | ${fmt(percentile(lags, 50))} / ${fmt(percentile(lags, 99))} / ${fmt(lags[lags.length - 1] ?? Number.NaN)} |`,
          `| process RSS (server-less worker + bench) before → peak | ${Math.round(rssBefore / 1e6)} MB → ${Math.round(peakRss / 1e6)} MB |`,
          '',
        ].join('\n'),
      );
      return reminders === n && distinctKeys === rows.length ? 0 : 1;
    } finally {
      await connection.close();
      await system.stop();
    }
  } finally {
    await temporal.stop();
    await rm(tmp, { recursive: true, force: true });
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench/sla-scale failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
