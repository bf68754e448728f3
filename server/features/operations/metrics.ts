// Prometheus metrics: SLA attainment per space and the state of running answer clocks.
// On the public port only with METRICS_TOKEN (a bearer token); otherwise on their own listener,
// METRICS_PORT, bound to 127.0.0.1 (runtime/system.ts). Never decided by the caller's address.
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Db } from '../../../db/connect.js';
import { pendingNotificationCount } from '../../../db/operations.js';
import { runningClockCounts, slaOutcomeCounts } from '../../../db/sla.js';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Whether the request carries `Authorization: Bearer <token>`; compared in constant time
 * (digests of equal length, so neither the token nor its length leaks through timing). */
export function hasBearerToken(request: FastifyRequest, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (given === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** The exposition text. */
export async function metricsText(db: Db): Promise<string> {
  const [outcomes, clocks, pendingMail] = await Promise.all([
    slaOutcomeCounts(db),
    runningClockCounts(db),
    pendingNotificationCount(db),
  ]);
  const lines: string[] = [
    '# HELP guichet_sla_answers_total Answered client requests by SLA outcome.',
    '# TYPE guichet_sla_answers_total counter',
    ...outcomes.map((o) => `guichet_sla_answers_total{space="${label(o.space)}",outcome="${o.outcome}"} ${o.n}`),
    '# HELP guichet_sla_attainment_ratio Share of answered requests answered within the target, or within the maximum.',
    '# TYPE guichet_sla_attainment_ratio gauge',
  ];
  const bySpace = new Map<string, Record<string, number>>();
  for (const o of outcomes) bySpace.set(o.space, { ...(bySpace.get(o.space) ?? {}), [o.outcome]: o.n });
  for (const [space, counts] of bySpace) {
    const total = (counts.within_target ?? 0) + (counts.within_max ?? 0) + (counts.breached ?? 0);
    const target = (counts.within_target ?? 0) / total;
    const max = ((counts.within_target ?? 0) + (counts.within_max ?? 0)) / total;
    lines.push(`guichet_sla_attainment_ratio{space="${label(space)}",within="target"} ${target}`);
    lines.push(`guichet_sla_attainment_ratio{space="${label(space)}",within="max"} ${max}`);
  }
  lines.push(
    '# HELP guichet_sla_open_clocks Requests waiting for a staff answer, by clock state.',
    '# TYPE guichet_sla_open_clocks gauge',
    ...clocks.map((c) => `guichet_sla_open_clocks{space="${label(c.space)}",state="${c.state}"} ${c.n}`),
    '# HELP guichet_notifications_pending E-mails written to the outbox and not delivered yet.',
    '# TYPE guichet_notifications_pending gauge',
    `guichet_notifications_pending ${pendingMail}`,
  );
  return `${lines.join('\n')}\n`;
}

/** /metrics on the public app: only with METRICS_TOKEN, and only to callers presenting it. */
export function metricsRoutes(app: FastifyInstance) {
  const { db, config } = app.deps;
  const token = config.METRICS_TOKEN;
  if (!token) return;
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    if (!hasBearerToken(request, token)) return reply.callNotFound();
    return reply.header('content-type', CONTENT_TYPE).send(await metricsText(db));
  });
}

/** The loopback-only metrics listener's app (METRICS_PORT): /metrics and nothing else. Whoever
 * reaches 127.0.0.1 may read it, so it is bound there and nowhere else. */
export async function buildMetricsApp(db: Db, logger: FastifyBaseLogger): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: logger });
  // Scraped every few seconds: its requests are not worth a log line each.
  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) =>
    reply.header('content-type', CONTENT_TYPE).send(await metricsText(db)),
  );
  return app;
}
