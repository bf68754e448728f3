// The JSON API of the client space (session cookie). Read-only for now; every answer is
// decided here from the session, never from what the caller claims.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { findClientConversation, listMessages } from '../../../db/conversations.js';
import { clientConversationPage } from '../../client-list.js';
import { clientLooking } from '../../client-looking.js';
import { translator } from '../../context.js';
import { clientOf } from '../../plugins/access.js';
import { ConversationList, ConversationWithMessages, Error_, ListQuery, Me } from './schemas.js';
import { conversationSummaryJson, meJson, messageJson } from './view-models.js';

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
        response: { 200: Me, 401: Error_ },
      },
    },
    (request) => meJson(clientOf(request)),
  );

  app.get<{ Querystring: ListQuery }>(
    '/api/v1/conversations',
    {
      // The session is checked in the list's own query (one round trip): see plugins/auth.
      config: { access: 'client', clientSessionInQuery: true },
      schema: {
        tags: ['client'],
        summary: "The client's conversations, most recent first",
        security,
        querystring: ListQuery,
        response: { 200: ConversationList, 400: Error_, 401: Error_ },
      },
    },
    async (request, reply) => {
      const { page, limit } = request.query;
      const slice = { limit, offset: (page - 1) * limit };
      // Without a session to check, the hook's client (a view is refused before, by plugins/client-view).
      const list = await clientConversationPage(request, reply, slice);
      if (!list) return reply;
      return { total: list.total, page, limit, items: list.items.map(conversationSummaryJson) };
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
        response: { 200: ConversationWithMessages, 401: Error_, 404: Error_ },
      },
    },
    async (request, reply) => {
      const c = clientOf(request);
      const conversation = await findClientConversation(db, c.id, request.params.id);
      if (!conversation) return reply.status(404).send({ message: translator(request).errors.notFound });
      const [messages] = await Promise.all([listMessages(db, conversation.id), clientLooking(db, request)]);
      return {
        id: conversation.id,
        subject: conversation.subject,
        status: conversation.status,
        messages: messages.map((m) => messageJson(m, c.full_name)),
      };
    },
  );
}
