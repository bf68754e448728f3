// /back-office/equipe: administrators say who is a head of service. Audited.
import type { FastifyInstance } from 'fastify';
import { listStaff, setStaffRole, TEAM_ROLES } from '../../db/team.js';
import { pageContext, sendPage, translator } from '../context.js';
import { field } from '../validation.js';
import { teamPage } from '../views/team-pages.js';
import { idParams } from './client.js';
import { staffOf } from '../plugins/access.js';

export default function teamRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;

  app.get<{ Querystring: { fait?: string } }>('/back-office/equipe', { config: { access: 'admin' }, schema: { hide: true } }, async (request, reply) => {
    const t = translator(request, 'staff');
    const flash = request.query.fait === '1' ? { kind: 'info' as const, text: t.team.saved } : undefined;
    return sendPage(reply, teamPage(pageContext(request, reply, { area: 'staff', flash }), await listStaff(db)));
  });

  app.post<{ Params: { id: string } }>('/back-office/equipe/:id/role', { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf }, async (request, reply) => {
    const role = TEAM_ROLES.find((r) => r === field(request.body, 'role'));
    if (!role) {
      const ctx = pageContext(request, reply, { area: 'staff', flash: { kind: 'error', text: translator(request, 'staff').team.roleInvalid } });
      return sendPage(reply, teamPage(ctx, await listStaff(db)), 400);
    }
    await setStaffRole(db, { id: staffOf(request).id, ip: request.ip }, request.params.id, role);
    return reply.redirect('/back-office/equipe?fait=1', 303);
  });
}
