// /back-office/espaces: administrators name the spaces and set each one's answer SLA policy.
// A refused form says what is wrong, in the administrator's language, and stores nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../../db/connect.js';
import { createSpaceWithPolicy, findSpace, listSpaces, saveSpacePolicy } from '../../../db/spaces.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { parseForm } from '../../forms.js';
import { idParams } from '../../params.js';
import { staffOf } from '../../plugins/access.js';
import { BLANK_SPACE_FORM, newSpaceSchema, spaceEditSchema, typedSpaceForm, type SpaceForm } from './forms.js';
import { spaceListPage, spacePage } from './pages.js';
import { spaceFormOf, spaceHeadingOf, spaceSummaryOf } from './view-models.js';

/** The list of spaces with the form creating one (blank, or refused with its errors). */
async function renderList(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  create = { form: BLANK_SPACE_FORM, errors: [] as string[] },
  status = 200,
  flash?: string,
) {
  const ctx = pageContext(request, reply, {
    area: 'staff',
    flash: flash ? { kind: 'info', text: flash } : undefined,
  });
  const spaces = (await listSpaces(db)).map(spaceSummaryOf);
  return sendPage(reply, spaceListPage(ctx, spaces, create), status);
}

export default function spaceRoutes(app: FastifyInstance) {
  spaceListRoutes(app);
  spaceEditRoutes(app);
}

/** The list of spaces, and a new space created from it. */
function spaceListRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;

  app.get<{ Querystring: { fait?: string } }>(
    '/back-office/espaces',
    { config: { access: 'admin' }, schema: { hide: true } },
    async (request, reply) => {
      return renderList(
        db,
        request,
        reply,
        undefined,
        200,
        request.query.fait === 'cree' ? translator(request, 'staff').spaces.created : undefined,
      );
    },
  );

  app.post(
    '/back-office/espaces',
    { config: { access: 'admin' }, schema: { hide: true }, preHandler: csrf },
    async (request, reply) => {
      const t = translator(request, 'staff');
      const form = typedSpaceForm(request.body);
      const parsed = parseForm(newSpaceSchema(t), request.body);
      if (!parsed.ok)
        return renderList(db, request, reply, { form, errors: [...parsed.errors, t.spaces.nothingSaved] }, 400);
      const { slug, policy } = parsed.values;
      const space = await createSpaceWithPolicy(db, { id: staffOf(request).id, ip: request.ip }, slug, policy);
      if (!space)
        return renderList(db, request, reply, { form, errors: [t.spaces.slugTaken, t.spaces.nothingSaved] }, 400);
      return reply.redirect('/back-office/espaces?fait=cree', 303);
    },
  );
}

/** One space: its page, and its SLA policy saved. */
function spaceEditRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;

  app.get<{ Params: { id: string }; Querystring: { fait?: string } }>(
    '/back-office/espaces/:id',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const space = await findSpace(db, request.params.id);
      if (!space) return reply.callNotFound();
      const ctx = pageContext(request, reply, {
        area: 'staff',
        flash:
          request.query.fait === '1' ? { kind: 'info', text: translator(request, 'staff').spaces.saved } : undefined,
      });
      return sendPage(reply, spacePage(ctx, spaceHeadingOf(space), spaceFormOf(space, ctx.locale), []));
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/espaces/:id',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const space = await findSpace(db, request.params.id);
      if (!space) return reply.callNotFound();
      const t = translator(request, 'staff');
      const form: SpaceForm = { ...typedSpaceForm(request.body), slug: space.slug };
      const parsed = parseForm(spaceEditSchema(t), request.body);
      if (!parsed.ok) {
        const ctx = pageContext(request, reply, { area: 'staff' });
        const errors = [...parsed.errors, t.spaces.nothingSaved];
        return sendPage(reply, spacePage(ctx, spaceHeadingOf(space), form, errors), 400);
      }
      await saveSpacePolicy(db, { id: staffOf(request).id, ip: request.ip }, space, parsed.values.policy);
      return reply.redirect(`/back-office/espaces/${space.id}?fait=1`, 303);
    },
  );
}
