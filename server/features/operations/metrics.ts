// /metrics (Prometheus exposition of the process's registry, server/plugins/metrics.ts).
// On the public port only with METRICS_TOKEN (a bearer token); otherwise on their own listener,
// METRICS_PORT, bound to 127.0.0.1 (runtime/system.ts). Never decided by the caller's address.
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';

/** Whether the request carries `Authorization: Bearer <token>`; compared in constant time
 * (digests of equal length, so neither the token nor its length leaks through timing). */
export function hasBearerToken(request: FastifyRequest, token: string): boolean {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
  if (given === undefined) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/** /metrics on the public app: only with METRICS_TOKEN and a registry, only to callers presenting it. */
export function metricsRoutes(app: FastifyInstance) {
  const { config, metrics } = app.deps;
  const token = config.METRICS_TOKEN;
  if (!token || !metrics) return;
  app.get(
    '/metrics',
    // Scraped every few seconds: its requests are not worth a log line each.
    { config: { access: 'public' }, schema: { hide: true }, logLevel: 'warn' },
    async (request, reply) => {
      if (!hasBearerToken(request, token)) return reply.callNotFound();
      return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
}

/** The loopback-only metrics listener's app (METRICS_PORT): /metrics and nothing else. Whoever
 * reaches 127.0.0.1 may read it, so it is bound there and nowhere else. */
export async function buildMetricsApp(registry: Registry, logger: FastifyBaseLogger): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: logger });
  app.get('/metrics', { logLevel: 'warn' }, async (_request, reply) =>
    reply.header('content-type', registry.contentType).send(await registry.metrics()),
  );
  return app;
}
