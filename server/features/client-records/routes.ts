// Back-office: client records. Contacts with their states (one default per kind, changed after
// a confirmation), call / e-mail links, letters recorded, SMS through the SMS connector, files
// attached to the record (storage connector), an observation staff share.
// The list, the record page and the observation are here; the confidential view of the client's
// space is in view-routes.ts, the contacts in contact-routes.ts, the files in file-routes.ts.
import type { FastifyInstance } from 'fastify';
import { saveObservation } from '../../../app/client-records.js';
import { listClients } from '../../../db/clients.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { parseForm, typedForm } from '../../forms.js';
import { idParams } from '../../params.js';
import { staffOf } from '../../plugins/access.js';
import { contactRoutes } from './contact-routes.js';
import { clientFileRoutes } from './file-routes.js';
import { observationSchema } from './forms.js';
import { clientListPage } from './pages.js';
import { clientRecordKit, done, flashes, type ClientRecordKit } from './record.js';
import { clientViewRoutes } from './view-routes.js';
import { dataRightsRoutes } from './data-rights-routes.js';
import { clientListItemOf } from './view-models.js';

export default function clientRecordRoutes(app: FastifyInstance) {
  const kit = clientRecordKit(app);
  clientListRoute(app);
  // ---- The confidential view of the client's space (seed 004) ----
  clientViewRoutes(app, kit);
  // ---- The record ----
  recordPageRoute(app, kit);
  contactRoutes(app, kit);
  observationRoute(app, kit);
  clientFileRoutes(app, kit);
  dataRightsRoutes(app, kit);
}

function clientListRoute(app: FastifyInstance) {
  const { db } = app.deps;
  app.get<{ Querystring: { q?: string; page?: string; vue?: string } }>(
    '/back-office/clients',
    { config: { access: 'staff' }, schema: { hide: true } },
    async (request, reply) => {
      const pageSize = request.settings?.rowsPerPage ?? 25;
      const page = Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1);
      const search = (request.query.q ?? '').slice(0, 200);
      const list = await listClients(db, {
        scope: request.staffScope,
        search,
        limit: pageSize,
        offset: (page - 1) * pageSize,
      });
      const pages = Math.max(1, Math.ceil(list.total / pageSize));
      // A view of a client's space that ended (its time limit, or another tab) lands here.
      const flash =
        request.query.vue === 'terminee'
          ? { kind: 'info' as const, text: translator(request, 'staff').clientView.ended }
          : undefined;
      return sendPage(
        reply,
        clientListPage(pageContext(request, reply, { area: 'staff', flash }), search, {
          items: list.items.map(clientListItemOf),
          page,
          pages,
        }),
      );
    },
  );
}

function recordPageRoute(app: FastifyInstance, { renderRecord, loadClient }: ClientRecordKit) {
  app.get<{ Params: { id: string }; Querystring: { invalides?: string; fait?: string } }>(
    '/back-office/clients/:id',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const flash = request.query.fait ? flashes(translator(request, 'staff'))[request.query.fait] : undefined;
      return renderRecord(request, reply, client, flash ? { flash } : {});
    },
  );
}

function observationRoute(app: FastifyInstance, { renderRecord, loadClient }: ClientRecordKit) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;
  app.post<{ Params: { id: string } }>(
    '/back-office/clients/:id/observation',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const staff = staffOf(request);
      const t = translator(request, 'staff');
      const parsed = parseForm(observationSchema(t), request.body);
      if (!parsed.ok) {
        const typed = { observation: typedForm(request.body, ['observation']).observation.replace(/\r\n/g, '\n') };
        return renderRecord(request, reply, client, { errors: parsed.errors, typed }, 400);
      }
      await saveObservation(db, { id: staff.id, ip: request.ip }, client.id, parsed.values.observation);
      return reply.redirect(done(client.id, 'observation'), 303);
    },
  );
}
