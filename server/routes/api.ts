// The JSON API of the client space (session cookie). Read-only for now; every answer is
// decided here from the session, never from what the caller claims.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { findClientConversation, listClientConversations, listMessages } from '../../db/conversations.js';
import { translator } from '../context.js';
import { clientOf } from '../plugins/access.js';

const Error_ = Type.Object({ message: Type.String() }, { $id: 'Error' });
const Status = Type.Union(['open', 'answered', 'waiting_client', 'resolved', 'closed'].map((s) => Type.Literal(s)));
const ConversationSummary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  subject: Type.String(),
  status: Status,
  space: Type.String(),
  lastMessageAt: Type.String({ format: 'date-time' }),
  unreadAnswers: Type.Integer(),
});
const Message = Type.Object({
  id: Type.String({ format: 'uuid' }),
  author: Type.Object({
    kind: Type.Union([Type.Literal('client'), Type.Literal('staff'), Type.Literal('system')]),
    name: Type.String(),
  }),
  kind: Type.Union([Type.Literal('message'), Type.Literal('acknowledgement')]),
  body: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
const ListQuery = Type.Object({
  page: Type.Integer({ minimum: 1, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
});

export default function apiRoutes(app: FastifyInstance) {
  const { db } = app.deps;
  const security = [{ session: [] }];

  app.get(
    '/api/v1/me',
    {
      config: { access: 'client' },
      schema: {
        tags: ['client'],
        summary: 'The logged-in client',
        security,
        response: {
          200: Type.Object({ id: Type.String(), email: Type.String(), fullName: Type.String(), locale: Type.String() }),
          401: Error_,
        },
      },
    },
    (request) => {
      const c = clientOf(request);
      return { id: c.id, email: c.email, fullName: c.full_name, locale: c.locale };
    },
  );

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/conversations',
    {
      config: { access: 'client' },
      schema: {
        tags: ['client'],
        summary: "The client's conversations, most recent first",
        security,
        querystring: ListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(ConversationSummary),
            total: Type.Integer(),
            page: Type.Integer(),
            limit: Type.Integer(),
          }),
          401: Error_,
        },
      },
    },
    async (request) => {
      const c = clientOf(request);
      const { page, limit } = request.query;
      const list = await listClientConversations(db, c.id, { limit, offset: (page - 1) * limit });
      return {
        total: list.total,
        page,
        limit,
        items: list.items.map((i) => ({
          id: i.id,
          subject: i.subject,
          status: i.status,
          space: i.spaceName,
          lastMessageAt: i.lastMessageAt.toISOString(),
          unreadAnswers: i.unreadAnswers,
        })),
      };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/conversations/:id',
    {
      config: { access: 'client' },
      schema: {
        tags: ['client'],
        summary: 'One conversation with its messages',
        security,
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: {
          200: Type.Object({
            id: Type.String(),
            subject: Type.String(),
            status: Status,
            messages: Type.Array(Message),
          }),
          401: Error_,
          404: Error_,
        },
      },
    },
    async (request, reply) => {
      const c = clientOf(request);
      const conversation = await findClientConversation(db, c.id, request.params.id);
      if (!conversation) return reply.status(404).send({ message: translator(request).errors.notFound });
      const messages = await listMessages(db, conversation.id);
      return {
        id: conversation.id,
        subject: conversation.subject,
        status: conversation.status,
        messages: messages.map((m) => ({
          id: m.id,
          author: { kind: m.author_kind, name: m.author_kind === 'client' ? c.full_name : m.author_display_name },
          kind: m.kind,
          body: m.body,
          createdAt: m.created_at.toISOString(),
        })),
      };
    },
  );
}
