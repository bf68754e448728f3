// Who may open a back-office page: signed-in staff; editing templates and settings needs the
// administrator flag. Decided on the server for every request.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '../../db/database.js';
import { pageContext, sendPage, translator } from '../context.js';
import { errorPage } from '../views/auth-pages.js';

export type StaffRequest<R extends FastifyRequest = FastifyRequest> = R & { staff: Account };

export function requireStaff<R extends FastifyRequest>(request: R, reply: FastifyReply): request is StaffRequest<R> {
  if (request.staff) return true;
  void reply.redirect(request.sessionExpired === 'staff' ? '/back-office/connexion?expire=1' : '/back-office/connexion');
  return false;
}

/** Staff with the administrator flag; others get a 403 page that says why. */
export function requireAdmin<R extends FastifyRequest>(request: R, reply: FastifyReply): request is StaffRequest<R> {
  if (!requireStaff(request, reply)) return false;
  if (request.staff.is_admin) return true;
  const t = translator(request, 'staff');
  void sendPage(reply, errorPage(pageContext(request, reply, { area: 'staff' }), '403', t.backoffice.adminOnly), 403);
  return false;
}
