// The client's conversation list, shared by the page (`GET /conversations`) and the client's
// JSON (`GET /api/v1/conversations`): on a route that declares `clientSessionInQuery`, the session
// is checked in the list's own query (one round trip; plugins/auth), else the hook's client (a
// head of service's view) is listed within the given scope.
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  listClientConversations,
  listClientConversationsOfSession,
  type ClientConversationPage,
} from '../db/conversations.js';
import type { StaffScope } from '../db/staff-access.js';
import { clientOf } from './plugins/access.js';
import { settleClientSession } from './plugins/auth.js';

/** The page of the client's conversations; undefined when the session was refused (the answer
 * is then sent: the route returns the reply). */
export async function clientConversationPage(
  request: FastifyRequest,
  reply: FastifyReply,
  slice: { limit: number; offset: number },
  scope?: StaffScope,
): Promise<ClientConversationPage | undefined> {
  const { db } = request.server.deps;
  const session = request.clientSessionToCheck;
  if (session) {
    const found = await listClientConversationsOfSession(db, session, request.server.sessionLimits, slice);
    if (!(await settleClientSession(request, reply, found?.session)) || !found) return undefined;
    return found.list;
  }
  return listClientConversations(db, clientOf(request).id, slice, scope);
}
