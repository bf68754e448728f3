// /back-office/webhooks: administrators register endpoints, see each one's secret and latest
// deliveries with their attempts, replace the secret, pause and resume, send a delivery again, and
// delete an endpoint (a confirmation page, then a POST: HTML forms cannot send DELETE).
// Every route is admin-only; ids are UUIDs; a refused form says why and stores nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../../db/connect.js';
import { listSpaces } from '../../../db/spaces.js';
import { findEndpoint, listEndpoints, recentDeliveries } from '../../../db/webhooks.js';
import {
  createEndpoint,
  pauseByHand,
  removeEndpoint,
  replay,
  resume,
  rotateSecret,
} from '../../../app/webhooks/endpoints.js';
import { pageContext, sendPage, translator } from '../../context.js';
import type { PageContext } from '../../views/layout.js';
import { parseForm } from '../../forms.js';
import { idParams } from '../../params.js';
import { staffOf } from '../../plugins/access.js';
import { BLANK_ENDPOINT_FORM, endpointSchema, typedEndpointForm, type EndpointForm } from './forms.js';
import { endpointListPage, endpointPage } from './pages.js';
import { deliveryViewOf, endpointViewOf } from './view-models.js';

const BASE = '/back-office/webhooks';
const RECENT = 50;
const hidden = { hide: true };
const deliveryParams = {
  type: 'object',
  properties: { id: idParams.properties.id, deliveryId: idParams.properties.id },
  required: ['id', 'deliveryId'],
} as const;

const FLASHES = ['cree', 'secret', 'pause', 'reprise', 'renvoi'] as const;
const LIST_FLASHES = ['supprime'] as const;

async function spaceNames(db: Db): Promise<Map<string, string>> {
  return new Map((await listSpaces(db)).map((s) => [s.id, s.name]));
}

async function renderList(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  create: { form: EndpointForm; errors: string[] } = { form: BLANK_ENDPOINT_FORM, errors: [] },
  status = 200,
  done?: (typeof LIST_FLASHES)[number],
) {
  const text = done ? { supprime: translator(request, 'staff').webhooks.deleted }[done] : undefined;
  const ctx = pageContext(request, reply, { area: 'staff', flash: text ? { kind: 'info', text } : undefined });
  const names = await spaceNames(db);
  const endpoints = (await listEndpoints(db)).map((e) => endpointViewOf(e, names, ctx.locale));
  const spaces = [...names].map(([id, name]) => ({ id, name }));
  return sendPage(reply, endpointListPage(ctx, endpoints, spaces, create), status);
}

async function renderEndpoint(
  request: FastifyRequest,
  reply: FastifyReply,
  endpointId: string,
  flash: PageContext['flash'],
  status = 200,
) {
  const { db } = request.server.deps;
  const endpoint = await findEndpoint(db, endpointId);
  if (!endpoint) return reply.callNotFound();
  const ctx = pageContext(request, reply, { area: 'staff', flash });
  const deliveries = await recentDeliveries(db, endpoint.id, RECENT);
  // The page shows the signing secret: no cache keeps it.
  reply.header('cache-control', 'no-store');
  return sendPage(
    reply,
    endpointPage(
      ctx,
      endpointViewOf(endpoint, await spaceNames(db), ctx.locale),
      deliveries.map((d) => deliveryViewOf(d, ctx.locale)),
    ),
    status,
  );
}

export default function webhookRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows, config } = app.deps;

  app.get<{ Querystring: { fait?: string } }>(BASE, { config: { access: 'admin' }, schema: hidden }, (request, reply) =>
    renderList(
      db,
      request,
      reply,
      undefined,
      200,
      LIST_FLASHES.find((f) => f === request.query.fait),
    ),
  );

  app.post(BASE, { config: { access: 'admin' }, schema: hidden, preHandler: csrf }, async (request, reply) => {
    const t = translator(request, 'staff');
    const parsed = parseForm(endpointSchema(t, config.webhooks), request.body);
    const form = typedEndpointForm(request.body);
    const errors = parsed.ok ? [] : parsed.errors;
    const known = await spaceNames(db);
    if (form.spaceIds.some((id) => !known.has(id))) errors.push(t.webhooks.spaceUnknown);
    if (!parsed.ok || errors.length > 0) return renderList(db, request, reply, { form, errors }, 400);
    const { url, description, events, spaceIds } = parsed.values;
    const endpoint = await createEndpoint(
      db,
      workflows,
      { id: staffOf(request).id, ip: request.ip },
      {
        url,
        description,
        events,
        spaceIds: spaceIds.length > 0 ? spaceIds : null,
      },
    );
    return reply.redirect(`${BASE}/${endpoint.id}?fait=cree`, 303);
  });

  app.get<{ Params: { id: string }; Querystring: { fait?: string } }>(
    `${BASE}/:id`,
    { config: { access: 'admin' }, schema: { ...hidden, params: idParams } },
    async (request, reply) => {
      const t = translator(request, 'staff').webhooks;
      const done = FLASHES.find((f) => f === request.query.fait);
      const text = done
        ? { cree: t.created, secret: t.rotated, pause: t.pausedNotice, reprise: t.resumed, renvoi: t.replayed }[done]
        : undefined;
      return renderEndpoint(request, reply, request.params.id, text ? { kind: 'info', text } : undefined);
    },
  );

  const action = (
    path: string,
    run: (request: FastifyRequest<{ Params: { id: string } }>) => Promise<boolean>,
    flash: string,
  ) =>
    app.post<{ Params: { id: string } }>(
      `${BASE}/:id/${path}`,
      { config: { access: 'admin' }, schema: { ...hidden, params: idParams }, preHandler: csrf },
      async (request, reply) => {
        if (!(await findEndpoint(db, request.params.id))) return reply.callNotFound();
        await run(request);
        return reply.redirect(`${BASE}/${request.params.id}?fait=${flash}`, 303);
      },
    );
  const actor = (request: FastifyRequest) => ({ id: staffOf(request).id, ip: request.ip });
  action('secret', (r) => rotateSecret(db, actor(r), r.params.id), 'secret');
  action('pause', (r) => pauseByHand(db, actor(r), r.params.id), 'pause');
  action('reprise', (r) => resume(db, workflows, actor(r), r.params.id), 'reprise');

  app.post<{ Params: { id: string; deliveryId: string } }>(
    `${BASE}/:id/envois/:deliveryId/renvoi`,
    { config: { access: 'admin' }, schema: { ...hidden, params: deliveryParams }, preHandler: csrf },
    async (request, reply) => {
      const { id, deliveryId } = request.params;
      if (!(await replay(db, workflows, actor(request), id, deliveryId))) return reply.callNotFound();
      return reply.redirect(`${BASE}/${id}?fait=renvoi`, 303);
    },
  );

  // Deleting: the button opens what goes (the waiting deliveries, the secret) and a box to tick;
  // a POST without it deletes nothing.
  app.post<{ Params: { id: string } }>(
    `${BASE}/:id/suppression`,
    { config: { access: 'admin' }, schema: { ...hidden, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      if (!(await findEndpoint(db, request.params.id))) return reply.callNotFound();
      if ((request.body as { confirm?: unknown } | undefined)?.confirm !== '1') {
        const t = translator(request, 'staff').webhooks;
        return renderEndpoint(request, reply, request.params.id, { kind: 'error', text: t.deleteUnconfirmed }, 400);
      }
      const outcome = await removeEndpoint(db, workflows, actor(request), request.params.id);
      if (!outcome.deleted) return reply.callNotFound();
      if (!outcome.woken)
        request.log.warn(
          { endpointId: request.params.id },
          'webhook endpoint deleted but its workflow was not woken: its idle sweep ends it',
        );
      return reply.redirect(`${BASE}?fait=supprime`, 303);
    },
  );
}
