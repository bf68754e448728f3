// The confidential view of a client's space is read-only: while a head of service views it
// (request.clientView, set by plugins/auth), only GET pages whose route says `clientView: true`
// are served, and each is audited; everything else of the client area (forms, downloads, the
// JSON API, the language switch) is refused with a page that says why. The back-office is not
// affected. A view that has ended sends its cookie away and the browser back to the back-office.
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { recordViewPage } from '../../db/client-views.js';
import { EVERY_SPACE, type StaffScope } from '../../db/staff-access.js';
import { pageContext, sendPage, translator } from '../context.js';
import { errorPage } from '../views/layout.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A client page a head of service may see in the read-only view of the client's space. */
    clientView?: boolean;
  }
}

/**
 * The spaces a client page shows: all of the client's for the client, and only the viewer's own
 * spaces in a head of service's confidential view (another space's conversation or case is a 404).
 */
export function clientPagesScope(request: FastifyRequest): StaffScope {
  return request.clientView ? request.staffScope : EVERY_SPACE;
}

/** What every page needs whoever looks: the style sheet, the installation's theme and logo. */
function isAsset(path: string): boolean {
  return path.startsWith('/static/') || path === '/theme.css' || path === '/logo' || path === '/favicon.ico';
}

export default fp(
  async (app) => {
    const { db } = app.deps;
    app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '';
      if (path.startsWith('/back-office') || isAsset(path)) return;
      if (request.clientViewEnded) {
        app.clearViewCookie(reply);
        if (request.method === 'GET' && !path.startsWith('/api/'))
          return reply.redirect('/back-office/clients?vue=terminee', 303);
        return;
      }
      const view = request.clientView;
      if (!view) return;
      // The not-found page (a route's callNotFound, e.g. another space's conversation): a 404 as
      // for anyone, not the view's refusal.
      if (request.is404) return;
      if ((request.method === 'GET' || request.method === 'HEAD') && request.routeOptions.config?.clientView === true) {
        if (request.method === 'GET') await recordViewPage(db, view, path, request.ip);
        return;
      }
      const t = translator(request);
      if (path.startsWith('/api/')) return reply.status(403).send({ message: t.clientView.refused });
      return sendPage(
        reply,
        errorPage(pageContext(request, reply), t.clientView.refusedTitle, t.clientView.refused),
        403,
      );
    });
  },
  { name: 'client-view', dependencies: ['deps', 'auth'] },
);
