// One-click unsubscribe from answer e-mails (RFC 8058). Every answer or summary e-mail carries
// `List-Unsubscribe: <…/notifications/unsubscribe/<token>>` and `List-Unsubscribe-Post:
// List-Unsubscribe=One-Click`: the mail program POSTs here without a session or a CSRF token (the
// 256-bit token, kept hashed, is the proof), and the client's e-mail choice becomes `none`.
// A GET (which scanners prefetch) only shows a button. Both are rate limited per address; the URL
// holds a live token, so these routes log at warn level only.
import type { FastifyInstance } from 'fastify';
import { unsubscribeByToken, unsubscribeTokenExists } from '../../../db/notification-preferences.js';
import { tokenDigest } from '../../../domain/tokens.js';
import { pageContext, sendPage } from '../../context.js';
import { rateLimited } from '../../plugins/rate-limits.js';
import { unsubscribedPage, unsubscribeInvalidPage, unsubscribePage } from './pages.js';

const tokenParams = {
  type: 'object',
  properties: { token: { type: 'string', pattern: '^[A-Za-z0-9_-]{20,100}$' } },
  required: ['token'],
} as const;

export default function notificationRoutes(app: FastifyInstance) {
  const { db } = app.deps;
  const limit = rateLimited(app, 'unsubscribe', () => null);
  const route = { schema: { hide: true, params: tokenParams }, logLevel: 'warn' as const, preHandler: limit };

  app.get<{ Params: { token: string } }>(
    '/notifications/unsubscribe/:token',
    { ...route, config: { access: 'public' } },
    async (request, reply) => {
      const ctx = pageContext(request, reply);
      if (!(await unsubscribeTokenExists(db, tokenDigest(request.params.token))))
        return sendPage(reply, unsubscribeInvalidPage(ctx), 404);
      reply.header('referrer-policy', 'no-referrer');
      return sendPage(reply, unsubscribePage(ctx, `/notifications/unsubscribe/${request.params.token}`));
    },
  );

  // No CSRF check on purpose: RFC 8058 mail programs post with no session and no form token.
  app.post<{ Params: { token: string } }>(
    '/notifications/unsubscribe/:token',
    { ...route, config: { access: 'public' } },
    async (request, reply) => {
      const ctx = pageContext(request, reply);
      if (!(await unsubscribeByToken(db, tokenDigest(request.params.token))))
        return sendPage(reply, unsubscribeInvalidPage(ctx), 404);
      request.log.info('answer e-mails turned off by a one-click unsubscribe');
      return sendPage(reply, unsubscribedPage(ctx));
    },
  );
}
