// SLA actions: the client answers the satisfaction question; staff ask it; staff see what is at risk.
import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { audit } from '../../db/audit.js';
import { findClientConversation, findStaffConversation } from '../../db/conversations.js';
import { spacesInScope } from '../../db/spaces.js';
import { clientOf, staffOf } from '../plugins/access.js';
import { assigneesAtRisk, conversationsAtRisk, type AssigneeFilter } from '../../db/sla.js';
import { pageContext, sendPage } from '../context.js';
import { field } from '../../domain/validation.js';
import { slaRiskPage } from '../views/sla-parts.js';
import { idParams } from '../params.js';

export default function slaRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;

  app.post<{ Params: { id: string } }>(
    '/conversations/:id/satisfaction',
    { config: { access: 'client' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const client = clientOf(request);
      const conversation = await findClientConversation(db, client.id, request.params.id);
      if (!conversation) return reply.callNotFound();
      const answer = field(request.body, 'answer');
      // A second click, or a question already settled, changes nothing.
      if (conversation.status !== 'waiting_client' || (answer !== 'yes' && answer !== 'no')) {
        return reply.redirect(`/conversations/${conversation.id}`, 303);
      }
      const resolved = answer === 'yes';
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('conversations')
          .set({ status: resolved ? 'resolved' : 'open' })
          .where('id', '=', conversation.id)
          .execute();
        await audit(tx, {
          actorAccountId: client.id,
          actorKind: 'client',
          action: resolved ? 'satisfaction.yes' : 'satisfaction.no',
          subjectType: 'conversation',
          subjectId: conversation.id,
          ip: request.ip,
        });
        await workflows.satisfactionAnswer(conversation.id, randomUUID(), resolved);
      });
      return reply.redirect(`/conversations/${conversation.id}`, 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/conversations/:id/satisfaction',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const staff = staffOf(request);
      const conversation = await findStaffConversation(db, request.staffScope, request.params.id);
      if (!conversation) return reply.callNotFound();
      if (
        conversation.status !== 'waiting_client' &&
        conversation.status !== 'resolved' &&
        conversation.status !== 'closed'
      ) {
        await audit(db, {
          actorAccountId: staff.id,
          actorKind: 'staff',
          action: 'satisfaction.ask',
          subjectType: 'conversation',
          subjectId: conversation.id,
          ip: request.ip,
        });
        await workflows.askSatisfaction(conversation.id, `staff-${randomUUID()}`);
      }
      return reply.redirect(`/back-office/conversations/${conversation.id}`, 303);
    },
  );

  app.get<{ Querystring: { space?: string; assignee?: string } }>(
    '/back-office/delais',
    { config: { access: 'staff' }, schema: { hide: true } },
    async (request, reply) => {
      const [spaces, assignees] = await Promise.all([
        spacesInScope(db, request.staffScope),
        assigneesAtRisk(db, request.staffScope),
      ]);
      const spaceId = spaces.find((s) => s.id === request.query.space)?.id;
      const wanted = request.query.assignee ?? '';
      const assignee: AssigneeFilter =
        wanted === 'none' ? 'none' : /^\d{1,9}$/.test(wanted) ? { redmineId: Number(wanted) } : undefined;
      const rows = await conversationsAtRisk(db, { scope: request.staffScope, spaceId, assignee, limit: 200 });
      return sendPage(
        reply,
        slaRiskPage(pageContext(request, reply, { area: 'staff' }), rows, {
          spaces,
          assignees,
          spaceId,
          assignee: assignee ? wanted : '',
        }),
      );
    },
  );
}
