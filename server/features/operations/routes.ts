// Operations: the health check (database and Temporal reachability) and the development outbox
// pages. The development pages are registered only in the development run or with DEV_TOOLS=true
// (server/features/index.ts); nothing there looks at who asks, since a client address is only as
// good as the proxies in front of it. Metrics are in ./metrics.ts.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { pingDatabase } from '../../../db/operations.js';
import { listRecentNotifications } from '../../../db/notifications.js';
import { listDevSms } from '../../../db/dev-outbox.js';
import { pageContext, sendPage } from '../../context.js';
import { devMailPage, devSmsPage } from './pages.js';
import { devMailView, devSmsView } from './view-models.js';

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

export function healthRoutes(app: FastifyInstance) {
  const { db, workflows } = app.deps;
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: { tags: ['ops'], summary: 'Database and Temporal reachability', response: { 200: Health, 503: Health } },
    },
    async (request, reply) => {
      const [database, temporal] = await Promise.all([check(() => pingDatabase(db)), check(() => workflows.check())]);
      const ok = database.status === 'ok' && temporal.status === 'ok';
      if (!ok) request.log.warn({ database, temporal }, 'health check failed');
      return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'fail', checks: { database, temporal } });
    },
  );
}

/** Development outbox: with no SMTP server configured, e-mails are read here. */
export function devMailRoutes(app: FastifyInstance) {
  app.get('/dev/mails', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const mails = await listRecentNotifications(app.deps.db, 100);
    return sendPage(reply, devMailPage(pageContext(request, reply), mails.map(devMailView)));
  });
}

/** What the development SMS provider "sent" (SMS_PROVIDER=development), whether or not SMTP is set. */
export function devSmsRoutes(app: FastifyInstance) {
  app.get('/dev/sms', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const rows = await listDevSms(app.deps.db);
    return sendPage(reply, devSmsPage(pageContext(request, reply), rows.map(devSmsView)));
  });
}
