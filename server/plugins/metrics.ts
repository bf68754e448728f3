// The process's Prometheus metrics (prom-client), one registry per process, built by the
// composition root (runtime/system.ts) and exposed by server/features/operations/metrics.ts:
// - HTTP requests: a latency histogram per route pattern, method and status class (never a raw
//   URL: ids stay out of the labels, and a path nobody routes is `unmatched`);
// - the process and its event loop (collectDefaultMetrics);
// - Redmine calls by kind and outcome, fed by the Redmine connector's observer (runtime wires it);
// - figures read from the shared database at scrape time (collect callbacks), so that every
//   server or worker process reports the same truth: the outbox, the mirror's lag, the SLA.
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../../db/connect.js';
import { newestMirroredJournalAge, outboxState } from '../../db/operations.js';
import { runningClockCounts, slaOutcomeCounts } from '../../db/sla.js';

/** One finished Redmine call (the connector's RedmineCall, restated: server/ does not import connectors/). */
export interface ObservedRedmineCall {
  kind: string;
  outcome: string;
  seconds: number;
}

export interface GuichetMetrics {
  registry: Registry;
  /** The Redmine connector's observer: counts the call and times it. */
  observeRedmineCall(call: ObservedRedmineCall): void;
  /** Records one answered HTTP request (the server's onResponse hook). */
  observeRequest(labels: { route: string; method: string; status: number }, seconds: number): void;
}

export interface MetricsOptions {
  /** Process, heap, GC and event-loop metrics; once per process (tests build many apps). */
  defaults?: boolean;
}

/** Seconds: from a static file or a health check to a slow export. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const REDMINE_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A figure read from the database at scrape time; on a database failure the series are
 * dropped for this scrape (absent, not stale), and the process's own metrics are still served. */
async function fromDatabase<T>(metric: { reset(): void }, read: () => Promise<T>, set: (value: T) => void) {
  try {
    const value = await read();
    metric.reset();
    set(value);
  } catch {
    metric.reset();
  }
}

// Long as a whole: the list of every metric, each with its help text and its collect callback.
export function createMetrics(db: Db, options: MetricsOptions = {}): GuichetMetrics {
  const registry = new Registry();
  if (options.defaults) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

  const http = new Histogram({
    name: 'guichet_http_request_duration_seconds',
    help: 'HTTP requests answered, by route pattern, method and status class.',
    labelNames: ['route', 'method', 'status_class'] as const,
    buckets: HTTP_BUCKETS,
    registers: [registry],
  });

  const redmineCalls = new Counter({
    name: 'guichet_redmine_calls_total',
    help: 'Calls to Redmine by kind (resource and direction) and outcome (ok or the error code).',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const redmineDuration = new Histogram({
    name: 'guichet_redmine_call_duration_seconds',
    help: 'Duration of Redmine calls by kind, retries included.',
    labelNames: ['kind'] as const,
    buckets: REDMINE_BUCKETS,
    registers: [registry],
  });
  const redmineLastSuccess = new Gauge({
    name: 'guichet_redmine_last_success_timestamp_seconds',
    help: 'When this process last had a successful Redmine call of this kind (Unix time).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });

  new Gauge({
    name: 'guichet_notifications_pending',
    help: 'Outbox depth: e-mails written to the outbox and not delivered yet.',
    registers: [registry],
    async collect() {
      await fromDatabase(
        this,
        () => outboxState(db),
        (s) => this.set(s.pending),
      );
    },
  });
  new Gauge({
    name: 'guichet_notifications_oldest_pending_seconds',
    help: 'How long the oldest e-mail of the outbox has waited (0 when the outbox is empty).',
    registers: [registry],
    async collect() {
      await fromDatabase(
        this,
        () => outboxState(db),
        (s) => this.set(s.oldestSeconds),
      );
    },
  });
  new Gauge({
    name: 'guichet_redmine_mirror_lag_seconds',
    help: 'Age of the newest Redmine journal mirrored into a message (absent before the first).',
    registers: [registry],
    async collect() {
      await fromDatabase(
        this,
        () => newestMirroredJournalAge(db),
        (age) => {
          if (age !== undefined) this.set(age);
        },
      );
    },
  });

  new Counter({
    name: 'guichet_sla_answers_total',
    help: 'Answered client requests by SLA outcome.',
    labelNames: ['space', 'outcome'] as const,
    registers: [registry],
    async collect() {
      await fromDatabase(
        this,
        () => slaOutcomeCounts(db),
        (rows) => rows.forEach((o) => this.inc({ space: o.space, outcome: o.outcome }, o.n)),
      );
    },
  });
  new Gauge({
    name: 'guichet_sla_attainment_ratio',
    help: 'Share of answered requests answered within the target, or within the maximum.',
    labelNames: ['space', 'within'] as const,
    registers: [registry],
    async collect() {
      await fromDatabase(
        this,
        () => slaOutcomeCounts(db),
        (rows) => {
          const bySpace = new Map<string, Record<string, number>>();
          for (const o of rows) bySpace.set(o.space, { ...(bySpace.get(o.space) ?? {}), [o.outcome]: o.n });
          for (const [space, counts] of bySpace) {
            const total = (counts.within_target ?? 0) + (counts.within_max ?? 0) + (counts.breached ?? 0);
            if (total === 0) continue;
            this.set({ space, within: 'target' }, (counts.within_target ?? 0) / total);
            this.set({ space, within: 'max' }, ((counts.within_target ?? 0) + (counts.within_max ?? 0)) / total);
          }
        },
      );
    },
  });
  new Gauge({
    name: 'guichet_sla_open_clocks',
    help: 'Requests waiting for a staff answer, by clock state.',
    labelNames: ['space', 'state'] as const,
    registers: [registry],
    async collect() {
      await fromDatabase(
        this,
        () => runningClockCounts(db),
        (rows) => rows.forEach((c) => this.set({ space: c.space, state: c.state }, c.n)),
      );
    },
  });

  return {
    registry,
    observeRedmineCall(call) {
      redmineCalls.inc({ kind: call.kind, outcome: call.outcome });
      redmineDuration.observe({ kind: call.kind }, call.seconds);
      if (call.outcome === 'ok') redmineLastSuccess.set({ kind: call.kind }, Date.now() / 1000);
    },
    observeRequest(labels, seconds) {
      http.observe(
        { route: labels.route, method: labels.method, status_class: `${Math.floor(labels.status / 100)}xx` },
        seconds,
      );
    },
  };
}

/** The route pattern a request matched (`/cases/:id`), never its URL; `unmatched` for a 404
 * nobody routed, so that scanners' made-up paths cannot grow the label set. */
export function routeLabel(request: FastifyRequest): string {
  return request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
}

/** Times every answered request into the registry's HTTP histogram. */
export default fp<{ metrics: GuichetMetrics }>(
  async (app, opts) => {
    app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
      opts.metrics.observeRequest(
        { route: routeLabel(request), method: request.method, status: reply.statusCode },
        reply.elapsedTime / 1000,
      );
    });
  },
  { name: 'http-metrics' },
);
