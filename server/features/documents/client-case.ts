// The client space's case page, shared by its routes (reading, deposits, withdrawals, comments):
// whose access the URL's case is, and the page again with errors (JSON for the page's script).
// Who may see what is decided by one function, caseAccessFor (db/contributors.ts); a case outside
// the viewer's access is "not found" (404, so that existence does not leak).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { caseAccessFor, type CaseAccess } from '../../../db/contributors.js';
import { scopeHasSpace } from '../../../db/staff-access.js';
import { pageContext, sendPage } from '../../context.js';
import { clientOf } from '../../plugins/access.js';
import { clientPagesScope } from '../../plugins/client-view.js';
import { clientCaseView } from './case-views.js';
import { clientCasePage } from './pages.js';

export interface ClientCase {
  /** The access of the signed-in client to the case of the URL, or undefined (answer: 404). */
  accessOf(request: FastifyRequest, caseId: string): Promise<CaseAccess | undefined>;
  /** The case page, with a form's errors and the comment typed, or a notice. */
  render(
    request: FastifyRequest,
    reply: FastifyReply,
    access: CaseAccess,
    form: { errors: string[]; comment?: string },
    status?: number,
    flash?: string,
  ): Promise<FastifyReply>;
  /** Refuses a deposit (JSON for the script, the page again otherwise), files already removed. */
  refuse(
    request: FastifyRequest,
    reply: FastifyReply,
    access: CaseAccess,
    errors: string[],
    status?: number,
  ): Promise<FastifyReply>;
}

export function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}

export function clientCase(app: FastifyInstance): ClientCase {
  const { db } = app.deps;
  const render: ClientCase['render'] = async (request, reply, access, form, status = 200, flash) => {
    const ctx = pageContext(request, reply, { flash: flash ? { kind: 'info', text: flash } : undefined });
    return sendPage(reply, clientCasePage(ctx, await clientCaseView(db, access, ctx.locale), form), status);
  };
  return {
    async accessOf(request, caseId) {
      const access = await caseAccessFor(db, clientOf(request).id, caseId);
      // In a head of service's confidential view, only the cases of the viewer's spaces exist.
      return access && scopeHasSpace(clientPagesScope(request), access.kase.space_id) ? access : undefined;
    },
    render,
    async refuse(request, reply, access, errors, status = 400) {
      if (wantsJson(request)) return reply.status(status).send({ ok: false, errors });
      return render(request, reply, access, { errors }, status);
    },
  };
}
