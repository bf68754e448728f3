// The back-office conversations: staff read the conversations of their spaces, answer, set a
// client message's reading state and download a conversation's files. Staff sign-in is in
// server/features/auth.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  threadWithAttachments,
  findAttachment,
  findStaffConversation,
  listStaffConversations,
} from '../../../db/conversations.js';
import { accountContact, spaceName } from '../../../db/conversation-pages.js';
import { spacesInScope } from '../../../db/spaces.js';
import { markClientMessagesRead } from '../../../db/message-states.js';
import { changeMessageState } from '../../../app/message-states.js';
import { addStaffAnswer, staffDisplayName } from '../../../app/conversations.js';
import { staffOf } from '../../plugins/access.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { sendAttachment } from '../../downloads.js';
import { parseForm, typedForm } from '../../forms.js';
import { attachmentParams, idParams } from '../../params.js';
import { messageView, spaceChoice } from '../client-space/view-models.js';
import { ANSWER_FIELDS, MESSAGE_STATE_FIELDS, answerSchema, messageStateSchema } from './forms.js';
import { staffConversationListPage, staffThreadPage } from './pages.js';
import { staffConversationListItem, staffThreadView } from './view-models.js';

const PAGE_SIZE = 25;
const hidden = { schema: { hide: true } };

export default function staffRoutes(app: FastifyInstance) {
  listRoutes(app);
  threadRoutes(app);
  messageStateRoutes(app);
  fileRoutes(app);
}

/** The conversations of the staff member's spaces, one space or all. */
function listRoutes(app: FastifyInstance) {
  const { db } = app.deps;

  app.get<{ Querystring: { page?: string; space?: string } }>(
    '/back-office',
    { ...hidden, config: { access: 'staff' } },
    async (request, reply) => {
      const page = Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1);
      const spaces = await spacesInScope(db, request.staffScope);
      const spaceId = spaces.find((s) => s.id === request.query.space)?.id;
      const pageSize = request.settings?.rowsPerPage ?? PAGE_SIZE;
      const list = await listStaffConversations(db, {
        scope: request.staffScope,
        spaceId,
        limit: pageSize,
        offset: (page - 1) * pageSize,
      });
      const pages = Math.max(1, Math.ceil(list.total / pageSize));
      return sendPage(
        reply,
        staffConversationListPage(
          pageContext(request, reply, { area: 'staff' }),
          spaces.map(spaceChoice),
          { spaceId },
          { items: list.items.map(staffConversationListItem), page, pages },
        ),
      );
    },
  );
}

/** A thread: reading it, answering, its files. */
function threadRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;

  app.get<{ Params: { id: string } }>(
    '/back-office/conversations/:id',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams } },
    async (request, reply) => {
      return renderThread(app, request, reply, { errors: [] });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/conversations/:id/reponses',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const staff = staffOf(request);
      const t = translator(request, 'staff');
      const conversation = await findStaffConversation(db, request.staffScope, request.params.id);
      if (!conversation) return reply.callNotFound();
      const typed = typedForm(request.body, ANSWER_FIELDS);
      const parsed = parseForm(answerSchema(t), typed);
      if (!parsed.ok) return renderThread(app, request, reply, { body: typed.body, errors: parsed.errors }, 400);
      try {
        const { config } = app.deps;
        const displayName = staffDisplayName(staff.full_name, config.REDMINE_STAFF_NAMES, config.REDMINE_TEAM_NAME);
        const answeredAt = new Date();
        const actor = { account: staff, ip: request.ip, displayName };
        await addStaffAnswer(db, workflows, actor, conversation.id, parsed.values.body);
        await markClientMessagesRead(db, conversation.id, answeredAt);
        return reply.redirect(`/back-office/conversations/${conversation.id}`, 303);
      } catch (err) {
        request.log.error({ err }, 'could not add a staff answer');
        return renderThread(app, request, reply, { body: typed.body, errors: [t.errors.unavailable] }, 503);
      }
    },
  );
}

/** A client message's reading state: to read, read, cancelled. */
function messageStateRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;

  app.post<{ Params: { id: string; attachmentId: string } }>(
    '/back-office/conversations/:id/messages/:attachmentId/etat',
    { config: { access: 'staff' }, schema: { hide: true, params: attachmentParams }, preHandler: csrf },
    async (request, reply) => {
      const staff = staffOf(request);
      // Another space's conversation does not exist for this staff member.
      if (!(await findStaffConversation(db, request.staffScope, request.params.id))) return reply.callNotFound();
      const parsed = parseForm(
        messageStateSchema(translator(request, 'staff')),
        typedForm(request.body, MESSAGE_STATE_FIELDS),
      );
      if (!parsed.ok) return renderThread(app, request, reply, { errors: parsed.errors }, 400);
      const { state } = parsed.values;
      const messageId = request.params.attachmentId;
      const message = { conversationId: request.params.id, messageId };
      if (!(await changeMessageState(db, { id: staff.id, ip: request.ip }, message, state)))
        return reply.callNotFound();
      return reply.redirect(`/back-office/conversations/${request.params.id}#m-${messageId}`, 303);
    },
  );
}

/** Every file of a conversation: what clients deposited (also the files too large for Redmine,
 * which the issue links here) and the files of Redmine's public notes. */
function fileRoutes(app: FastifyInstance) {
  const { db } = app.deps;

  app.get<{ Params: { id: string; attachmentId: string } }>(
    '/back-office/conversations/:id/pieces-jointes/:attachmentId',
    { config: { access: 'staff' }, schema: { hide: true, params: attachmentParams } },
    async (request, reply) => {
      const staff = staffOf(request);
      const conversation = await findStaffConversation(db, request.staffScope, request.params.id);
      const attachment = conversation
        ? await findAttachment(db, conversation.id, request.params.attachmentId)
        : undefined;
      return sendAttachment(app, request, reply, attachment, { accountId: staff.id, kind: 'staff' });
    },
  );
}

/** A thread page, with the answer form as typed and its errors. */
async function renderThread(
  app: FastifyInstance,
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
  answer: { body?: string; errors: string[] },
  status = 200,
) {
  const { db } = app.deps;
  const conversation = await findStaffConversation(db, request.staffScope, request.params.id);
  if (!conversation) return reply.callNotFound();
  const [{ messages, attachments }, space, client] = await Promise.all([
    threadWithAttachments(db, conversation.id),
    spaceName(db, conversation.space_id),
    accountContact(db, conversation.client_account_id),
  ]);
  const view = staffThreadView(conversation, {
    spaceName: space,
    client,
    messages: messages.map(messageView),
    attachments,
  });
  const page = staffThreadPage(
    pageContext(request, reply, { area: 'staff' }),
    view,
    answer,
    app.deps.config.REDMINE_TEXT_FORMATTING,
  );
  return sendPage(reply, page, status);
}
