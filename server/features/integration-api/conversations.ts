// Opening a conversation with a client through the integration API (issue #17):
//   POST /api/v1/spaces/{space}/conversations
// Write scope, Idempotency-Key honoured by the scope's hooks (idempotency.ts). The route only
// finds the space in the token's reach and turns refusals into problems; the use case
// (app/integration-api/conversations.ts) checks the client, the author and the case, and the
// conversation workflow creates the Redmine issue (never this route).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { openApiConversation, OpeningRefused } from '../../../app/integration-api/conversations.js';
import { findApiConversation, findSpaceInScope } from '../../../db/integration-api.js';
import { listMessages } from '../../../db/conversations.js';
import { translator } from '../../context.js';
import { apiTokenOf } from '../../plugins/access.js';
import { notFound, unprocessable } from './problems.js';
import { ConversationInput, IdempotencyHeaders, SpaceParams, problems } from './schemas.js';
import { conversationJson } from './view-models.js';

/** The thread's address of a conversation answer (the Location of a 201, also when replayed). */
function threadLocation(body: unknown): string | undefined {
  const c = body as { id?: unknown; space?: unknown } | null;
  if (typeof c?.id !== 'string' || typeof c.space !== 'string') return undefined;
  return `/api/v1/spaces/${encodeURIComponent(c.space)}/conversations/${c.id}/messages`;
}

export function openConversationRoute(app: FastifyInstance) {
  const { db, workflows, config } = app.deps;
  app.post<{ Params: SpaceParams; Body: ConversationInput }>(
    '/api/v1/spaces/:space/conversations',
    {
      config: { access: 'apiToken:write', replayLocation: threadLocation },
      schema: {
        tags: ['integration'],
        security: [{ bearerAuth: [] }],
        summary: 'Open a conversation with a client of the space, the first message from staff',
        description:
          "The client must already be a client of the space (a case upsert creates and invites one). The message is from `author` (a staff member of the space) or else from the token's creator; the client is told by e-mail as for any staff answer (their preferences, the grace window, the unsubscribe link); the Redmine issue is created shortly after, with the message as its description. The answer's Location is the thread's address.",
        params: SpaceParams,
        headers: IdempotencyHeaders,
        body: ConversationInput,
        response: { 201: Type.Ref('Conversation'), ...problems(403, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const t = translator(request).api;
      const token = apiTokenOf(request);
      const space = await findSpaceInScope(db, token.spaces, request.params.space);
      if (!space) return notFound(request, reply);
      const body = request.body;
      let conversationId: string;
      try {
        ({ conversationId } = await openApiConversation(
          db,
          workflows,
          { account: token.owner, ip: request.ip, tokenId: token.id },
          space,
          {
            client: 'email' in body.client ? { email: body.client.email } : { id: body.client.id },
            subject: body.subject,
            message: body.message,
            ...(body.author !== undefined ? { author: body.author } : {}),
            ...(body.case !== undefined ? { case: body.case } : {}),
          },
          { policy: config.REDMINE_STAFF_NAMES, team: config.REDMINE_TEAM_NAME },
        ));
      } catch (err) {
        if (!(err instanceof OpeningRefused)) throw err;
        const detail = {
          unknown_client: t.unknownClient,
          unknown_author: t.unknownAuthor,
          unknown_case: t.unknownCase,
        };
        return unprocessable(request, reply, detail[err.reason]);
      }
      const row = await findApiConversation(db, token.spaces, conversationId);
      if (!row) return notFound(request, reply);
      const json = conversationJson(row, await listMessages(db, conversationId));
      return reply
        .status(201)
        .header('location', threadLocation(json) ?? '')
        .send(json);
    },
  );
}
