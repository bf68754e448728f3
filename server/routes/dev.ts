// Development outbox: with no SMTP server configured, e-mails are read here (loopback only).
import type { FastifyInstance } from 'fastify';
import { listRecentNotifications } from '../../db/notifications.js';
import { pageContext, sendPage } from '../context.js';
import { devMailPage } from '../views/staff-pages.js';
import { devSmsPage } from '../views/client-pages.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export default function devRoutes(app: FastifyInstance) {
  app.get('/dev/mails', { schema: { hide: true } }, async (request, reply) => {
    if (!LOOPBACK.has(request.ip)) return reply.callNotFound();
    const mails = await listRecentNotifications(app.deps.db, 100);
    return sendPage(reply, devMailPage(pageContext(request, reply), mails));
  });
}

/** What the development SMS provider "sent" (SMS_PROVIDER=development), whether or not SMTP is set. */
export function devSmsRoutes(app: FastifyInstance) {
  app.get('/dev/sms', { schema: { hide: true } }, async (request, reply) => {
    if (!LOOPBACK.has(request.ip)) return reply.callNotFound();
    const rows = await app.deps.db.selectFrom('dev_sms_outbox').select(['recipient', 'body', 'created_at']).orderBy('created_at', 'desc').limit(100).execute();
    return sendPage(reply, devSmsPage(pageContext(request, reply), rows));
  });
}
