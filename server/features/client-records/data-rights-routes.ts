// The client record's data rights: staff of the client's spaces export everything Guichet holds
// about them (a zip streamed, audited) and erase them (refused while a case is open unless an
// administrator ticks the confirmation; audited; the Redmine issues listed afterwards).
import type { FastifyInstance } from 'fastify';
import { exportPerson } from '../../../app/data-rights/export.js';
import { erasePerson } from '../../../app/data-rights/erase.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { idParams } from '../../params.js';
import { staffOf } from '../../plugins/access.js';
import { erasedPage, openCasesPage } from './data-rights-pages.js';
import type { ClientRecordKit } from './record.js';

export function dataRightsRoutes(app: FastifyInstance, { loadClient }: ClientRecordKit) {
  const csrf = app.csrfProtection.bind(app);
  const { db, storage } = app.deps;

  app.get<{ Params: { id: string } }>(
    '/back-office/clients/:id/donnees.zip',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const zip = await exportPerson(
        db,
        storage,
        { accountId: staffOf(request).id, kind: 'staff', ip: request.ip },
        client.id,
      );
      if (!zip) return reply.callNotFound();
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="guichet-donnees-${client.id}.zip"`)
        .header('cache-control', 'no-store')
        .send(zip);
    },
  );

  app.post<{ Params: { id: string }; Body: { confirmOpenCases?: string } }>(
    '/back-office/clients/:id/effacement',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const staff = staffOf(request);
      const result = await erasePerson(
        db,
        storage,
        { accountId: staff.id, isAdmin: staff.is_admin, ip: request.ip },
        client.id,
        { confirmOpenCases: request.body?.confirmOpenCases === 'on' },
      );
      const ctx = pageContext(request, reply, { area: 'staff' });
      if (result.outcome === 'not-found') return reply.callNotFound();
      if (result.outcome === 'open-cases')
        return sendPage(
          reply,
          openCasesPage(ctx, client.id, translator(request, 'staff').dataRights.openCases(result.cases.join(', '))),
          409,
        );
      return sendPage(reply, erasedPage(ctx, result.filesDeleted, result.redmineIssues));
    },
  );
}
