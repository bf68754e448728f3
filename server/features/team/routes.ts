// /back-office/equipe: administrators say who is a head of service; with local staff accounts
// (STAFF_LOGIN=local) they also give each person their spaces and remove people from the team
// (which ends their sessions at once). Audited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listSpaces } from '../../../db/spaces.js';
import { listStaff, removeStaff, setLocalStaffSpaces, setStaffRole, staffSpaceIds } from '../../../db/team.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { parseForm } from '../../forms.js';
import { idParams } from '../../params.js';
import { staffOf } from '../../plugins/access.js';
import { removalSchema, roleSchema, staffSpacesSchema } from './forms.js';
import { teamPage } from './pages.js';
import { spaceOptionOf, teamMemberOf } from './view-models.js';

/** The team page, with a notice or an error above it. */
async function render(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  flash?: { kind: 'info' | 'error'; text: string },
  status = 200,
) {
  const { db, config } = app.deps;
  const local = config.staffLogin === 'local';
  const [staff, spaces] = await Promise.all([listStaff(db), listSpaces(db)]);
  const spacesOf = await staffSpaceIds(
    db,
    staff.map((s) => s.id),
  );
  const ctx = pageContext(request, reply, { area: 'staff', flash });
  const view = {
    staff: staff.map(teamMemberOf),
    spaces: spaces.map(spaceOptionOf),
    spacesOf,
    local,
    viewerId: staffOf(request).id,
  };
  return sendPage(reply, teamPage(ctx, view), status);
}

export default function teamRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, config } = app.deps;
  const local = config.staffLogin === 'local';

  app.get<{ Querystring: { fait?: string } }>(
    '/back-office/equipe',
    { config: { access: 'admin' }, schema: { hide: true } },
    async (request, reply) => {
      const t = translator(request, 'staff').team;
      const done = new Map([
        ['1', t.saved],
        ['espaces', t.spacesSaved],
        ['retrait', t.removed],
      ]).get(request.query.fait ?? '');
      return render(app, request, reply, done ? { kind: 'info', text: done } : undefined);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/equipe/:id/role',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const parsed = parseForm(roleSchema(translator(request, 'staff')), request.body);
      if (!parsed.ok) return render(app, request, reply, { kind: 'error', text: parsed.errors.join(' ') }, 400);
      await setStaffRole(db, { id: staffOf(request).id, ip: request.ip }, request.params.id, parsed.values.role);
      return reply.redirect('/back-office/equipe?fait=1', 303);
    },
  );

  if (local) localStaffRoutes(app);
}

/** With local staff accounts only: each person's spaces, and removal from the team. */
function localStaffRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;

  app.post<{ Params: { id: string } }>(
    '/back-office/equipe/:id/espaces',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const t = translator(request, 'staff').team;
      const parsed = parseForm(staffSpacesSchema(translator(request, 'staff')), request.body);
      const known = new Set((await listSpaces(db)).map((s) => s.id));
      if (!parsed.ok || parsed.values.space.some((id) => !known.has(id)))
        return render(app, request, reply, { kind: 'error', text: t.spacesInvalid }, 400);
      const actor = { id: staffOf(request).id, ip: request.ip };
      if (!(await setLocalStaffSpaces(db, actor, request.params.id, parsed.values.space))) return reply.callNotFound();
      return reply.redirect('/back-office/equipe?fait=espaces', 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/equipe/:id/suppression',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const t = translator(request, 'staff').team;
      const actor = staffOf(request);
      // An administrator removing themselves could leave nobody to manage the team.
      if (request.params.id === actor.id)
        return render(app, request, reply, { kind: 'error', text: t.removeSelf }, 400);
      const parsed = parseForm(removalSchema(translator(request, 'staff')), request.body);
      if (!parsed.ok) return render(app, request, reply, { kind: 'error', text: t.removeConfirmRequired }, 400);
      const removed = await removeStaff(db, { id: actor.id, ip: request.ip }, request.params.id);
      if (!removed) return reply.callNotFound();
      request.log.info({ staffId: request.params.id, sessionsEnded: removed.sessionsEnded }, 'staff member removed');
      return reply.redirect('/back-office/equipe?fait=retrait', 303);
    },
  );
}
