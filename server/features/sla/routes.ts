// SLA actions: the client answers the satisfaction question; staff ask it; staff see what is at risk.
import type { FastifyInstance } from 'fastify';
import { findClientConversation, findStaffConversation } from '../../../db/conversations.js';
import { spacesInScope } from '../../../db/spaces.js';
import { assigneesAtRisk, conversationsAtRisk, type AssigneeFilter } from '../../../db/sla.js';
import { answerSatisfaction, askSatisfaction } from '../../../app/satisfaction.js';
import { clientOf, staffOf } from '../../plugins/access.js';
import { pageContext, sendPage } from '../../context.js';
import { parseForm, typedForm } from '../../forms.js';
import { idParams } from '../../params.js';
import { SATISFACTION_FIELDS, satisfactionSchema } from './forms.js';
import { slaRiskPage } from './pages.js';
import { riskRowView } from './view-models.js';

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
      const parsed = parseForm(satisfactionSchema, typedForm(request.body, SATISFACTION_FIELDS));
      // A second click, or a question already settled, changes nothing.
      if (conversation.status !== 'waiting_client' || !parsed.ok) {
        return reply.redirect(`/conversations/${conversation.id}`, 303);
      }
      const resolved = parsed.values.answer === 'yes';
      await answerSatisfaction(db, workflows, { accountId: client.id, ip: request.ip }, conversation.id, resolved);
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
      await askSatisfaction(db, workflows, { accountId: staff.id, ip: request.ip }, conversation);
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
        slaRiskPage(pageContext(request, reply, { area: 'staff' }), rows.map(riskRowView), {
          spaces: spaces.map((s) => ({ id: s.id, name: s.name })),
          assignees,
          spaceId,
          assignee: assignee ? wanted : '',
        }),
      );
    },
  );
}
