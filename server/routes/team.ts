// /back-office/equipe: administrators say who is a head of service; with local staff accounts
// (STAFF_LOGIN=local) they also give each person their spaces and remove people from the team
// (which ends their sessions at once). Audited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listSpaces } from '../../db/spaces.js';
import { listStaff, removeStaff, setLocalStaffSpaces, setStaffRole, staffSpaceIds, TEAM_ROLES } from '../../db/team.js';
import { pageContext, sendPage, translator } from '../context.js';
import { staffOf } from '../plugins/access.js';
import { field } from '../../domain/validation.js';
import { teamPage } from '../views/team-pages.js';
import { idParams } from '../params.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every value of a repeated form field (checkboxes), strings only. */
function fieldValues(body: unknown, name: string): string[] {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string');
}

export default function teamRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, config } = app.deps;
  const local = config.staffLogin === 'local';

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    flash?: { kind: 'info' | 'error'; text: string },
    status = 200,
  ) {
    const [staff, spaces] = await Promise.all([listStaff(db), listSpaces(db)]);
    const spacesOf = await staffSpaceIds(
      db,
      staff.map((s) => s.id),
    );
    const ctx = pageContext(request, reply, { area: 'staff', flash });
    return sendPage(reply, teamPage(ctx, { staff, spaces, spacesOf, local, viewerId: staffOf(request).id }), status);
  }

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
      return render(request, reply, done ? { kind: 'info', text: done } : undefined);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/equipe/:id/role',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const role = TEAM_ROLES.find((r) => r === field(request.body, 'role'));
      if (!role)
        return render(request, reply, { kind: 'error', text: translator(request, 'staff').team.roleInvalid }, 400);
      await setStaffRole(db, { id: staffOf(request).id, ip: request.ip }, request.params.id, role);
      return reply.redirect('/back-office/equipe?fait=1', 303);
    },
  );

  if (!local) return;

  app.post<{ Params: { id: string } }>(
    '/back-office/equipe/:id/espaces',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const wanted = [...new Set(fieldValues(request.body, 'space'))];
      const known = new Set((await listSpaces(db)).map((s) => s.id));
      if (wanted.some((id) => !UUID.test(id) || !known.has(id)))
        return render(request, reply, { kind: 'error', text: translator(request, 'staff').team.spacesInvalid }, 400);
      if (!(await setLocalStaffSpaces(db, { id: staffOf(request).id, ip: request.ip }, request.params.id, wanted)))
        return reply.callNotFound();
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
      if (request.params.id === actor.id) return render(request, reply, { kind: 'error', text: t.removeSelf }, 400);
      if (field(request.body, 'confirm') !== '1')
        return render(request, reply, { kind: 'error', text: t.removeConfirmRequired }, 400);
      const removed = await removeStaff(db, { id: actor.id, ip: request.ip }, request.params.id);
      if (!removed) return reply.callNotFound();
      request.log.info({ staffId: request.params.id, sessionsEnded: removed.sessionsEnded }, 'staff member removed');
      return reply.redirect('/back-office/equipe?fait=retrait', 303);
    },
  );
}
