import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Type } from '@sinclair/typebox';

const Check = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('fail')]),
  error: Type.Optional(Type.String()),
});
const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('fail')]),
  checks: Type.Object({ database: Check, temporal: Check }),
});

async function check(run: () => Promise<unknown>): Promise<{ status: 'ok' | 'fail'; error?: string }> {
  try {
    await run();
    return { status: 'ok' };
  } catch (err) {
    // The kind of failure only: connection strings and the like stay in the logs.
    return { status: 'fail', error: err instanceof Error ? err.name : 'Error' };
  }
}

export default function healthRoutes(app: FastifyInstance) {
  const { db, workflows } = app.deps;
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: { tags: ['ops'], summary: 'Database and Temporal reachability', response: { 200: Health, 503: Health } },
    },
    async (request, reply) => {
      const [database, temporal] = await Promise.all([
        check(() => sql`select 1`.execute(db)),
        check(() => workflows.check()),
      ]);
      const ok = database.status === 'ok' && temporal.status === 'ok';
      if (!ok) request.log.warn({ database, temporal }, 'health check failed');
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'fail', checks: { database, temporal } });
    },
  );
}
