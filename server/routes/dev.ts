// Development outbox: with no SMTP server configured, e-mails are read here. These routes are
// registered only in the development run or with DEV_TOOLS=true (server/app.ts); nothing here
// looks at who asks, since a client address is only as good as the proxies in front of it.
import type { FastifyInstance } from 'fastify';
import { listRecentNotifications } from '../../db/notifications.js';
import { listDevSms } from '../../db/dev-outbox.js';
import { pageContext, sendPage } from '../context.js';
import { devMailPage } from '../views/staff-pages.js';
import { devSmsPage } from '../views/dev-sms-pages.js';

export default function devRoutes(app: FastifyInstance) {
  app.get('/dev/mails', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const mails = await listRecentNotifications(app.deps.db, 100);
    return sendPage(reply, devMailPage(pageContext(request, reply), mails));
  });
}

/** What the development SMS provider "sent" (SMS_PROVIDER=development), whether or not SMTP is set. */
export function devSmsRoutes(app: FastifyInstance) {
  app.get('/dev/sms', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const rows = await listDevSms(app.deps.db);
    return sendPage(reply, devSmsPage(pageContext(request, reply), rows));
  });
}
