// The confidential view of a client's space (seed 004): staff allowed to, giving a reason, open the
// client's space for a limited time; ending it comes back to the client record.
import type { FastifyInstance } from 'fastify';
import {
  endClientView,
  mayViewClientSpaces,
  REASON_MAX,
  startClientView,
  VIEW_MINUTES,
} from '../../../db/client-views.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { parseForm } from '../../forms.js';
import { idParams } from '../../params.js';
import { newToken, tokenDigest } from '../../../domain/tokens.js';
import { errorPage } from '../../views/layout.js';
import { staffOf } from '../../plugins/access.js';
import { typedReason, viewReasonSchema } from './forms.js';
import { done, type ClientRecordKit } from './record.js';

export function clientViewRoutes(app: FastifyInstance, { renderRecord, loadClient }: ClientRecordKit) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;

  app.post<{ Params: { id: string } }>(
    '/back-office/clients/:id/vue',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const staff = staffOf(request);
      const t = translator(request, 'staff');
      if (!mayViewClientSpaces(staff))
        return sendPage(
          reply,
          errorPage(pageContext(request, reply, { area: 'staff' }), '403', t.clientView.notAllowed),
          403,
        );
      const parsed = parseForm(viewReasonSchema(t), request.body);
      if (!parsed.ok) {
        const typed = { viewReason: typedReason(request.body).slice(0, REASON_MAX) };
        return renderRecord(request, reply, client, { errors: parsed.errors, typed }, 400);
      }
      const { reason } = parsed.values;
      const token = newToken();
      await startClientView(db, {
        tokenDigest: tokenDigest(token),
        staff,
        clientId: client.id,
        reason,
        ip: request.ip,
      });
      app.setViewCookie(reply, token, VIEW_MINUTES * 60);
      return reply.redirect('/conversations', 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/clients/vues/:id/fin',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const ended = await endClientView(db, request.params.id, staffOf(request).id, request.ip);
      app.clearViewCookie(reply);
      return reply.redirect(ended ? done(ended.clientId, 'vue-fin') : '/back-office/clients', 303);
    },
  );
}
