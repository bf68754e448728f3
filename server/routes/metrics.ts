// Prometheus metrics: SLA attainment per space and the state of running answer clocks.
// Served to loopback callers, or to callers presenting METRICS_TOKEN.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { runningClockCounts, slaOutcomeCounts } from '../../db/sla.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export default function metricsRoutes(app: FastifyInstance) {
  const { db, config } = app.deps;

  function allowed(request: FastifyRequest): boolean {
    const token = config.METRICS_TOKEN;
    if (!token) return LOOPBACK.has(request.ip);
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    return given.length === token.length && timingSafeEqual(Buffer.from(given), Buffer.from(token));
  }

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!allowed(request)) return reply.callNotFound();
    const [outcomes, clocks, pendingMail] = await Promise.all([
      slaOutcomeCounts(db),
      runningClockCounts(db),
      db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow(),
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
      `guichet_notifications_pending ${Number(pendingMail.n)}`,
    );
    return reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(`${lines.join('\n')}\n`);
  });
}
