// The back-office: staff log in (local accounts until Redmine sign-in), read and answer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  attachmentsByMessage,
  findAttachment,
  findStaffConversation,
  listMessages,
  listStaffConversations,
} from '../../db/conversations.js';
import { spacesInScope } from '../../db/spaces.js';
import { staffOf } from '../plugins/access.js';
import { pageContext, sendPage, translator } from '../context.js';
import { sendAttachment } from '../downloads.js';
import { verifyRedmineCredentials } from '../../connectors/redmine/index.js';
import { authenticate } from '../../app/accounts.js';
import { loginWithRedmine } from '../../app/staff-login.js';
import { addStaffAnswer, staffDisplayName } from '../../app/conversations.js';
import { field, validateBody } from '../../domain/validation.js';
import { loginPage } from '../views/auth-pages.js';
import { staffConversationListPage, staffThreadPage } from '../views/staff-pages.js';
import { MESSAGE_STAFF_STATES, markClientMessagesRead, setMessageStaffState } from '../../db/message-states.js';
import { audit } from '../../db/audit.js';
import { attachmentParams, idParams } from '../params.js';
import { signInLimit, signInSucceeded } from '../sign-in.js';

const PAGE_SIZE = 25;
const hidden = { schema: { hide: true } };

export default function staffRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;

  app.get<{ Querystring: { expire?: string } }>(
    '/back-office/connexion',
    { ...hidden, config: { access: 'public' } },
    (request, reply) => {
      if (request.staff) return reply.redirect('/back-office');
      const t = translator(request, 'staff');
      const flash = request.query.expire ? { kind: 'info' as const, text: t.login.expired } : undefined;
      return sendPage(
        reply,
        loginPage(pageContext(request, reply, { area: 'staff', flash }), { staff: true, redmine: redmineLogin }),
      );
    },
  );

  // With Redmine configured, staff sign in with their Redmine credentials (the form's `email`
  // field then holds a Redmine login); otherwise with local accounts.
  const redmineLogin = app.deps.config.staffLogin === 'redmine' && app.deps.config.REDMINE_URL !== undefined;
  const verify = (login: string, password: string) =>
    verifyRedmineCredentials({ baseUrl: app.deps.config.REDMINE_URL ?? '' }, login, password);

  app.post(
    '/back-office/connexion',
    { ...hidden, config: { access: 'public' }, preHandler: [csrf, signInLimit(app)] },
    async (request, reply) => {
      const email = field(request.body, 'email').trim();
      const password = field(request.body, 'password');
      if (redmineLogin) {
        const result =
          email && password
            ? await loginWithRedmine(db, verify, app.deps.staffAccess, email, password, request.ip)
            : ({ ok: false, reason: 'refused' } as const);
        if (!result.ok) {
          const t = translator(request, 'staff');
          const message = {
            refused: t.staffLogin.failed,
            unavailable: t.staffLogin.redmineUnavailable,
            misconfigured: t.staffLogin.redmineMisconfigured,
          }[result.reason];
          if (result.reason === 'unavailable') request.log.warn('Redmine did not answer a staff login');
          if (result.reason === 'misconfigured')
            request.log.error(
              'staff sign-in through Redmine needs an administrator’s REDMINE_API_KEY: nobody can sign in',
            );
          return sendPage(
            reply,
            loginPage(pageContext(request, reply, { area: 'staff' }), {
              email,
              errors: [message],
              staff: true,
              redmine: true,
            }),
            result.reason === 'refused' ? 401 : 503,
          );
        }
        await signInSucceeded(app, request);
        await app.startSession(reply, request, result.account);
        return reply.redirect('/back-office', 303);
      }
      const account = email && password ? await authenticate(db, 'staff', email, password, request.ip) : undefined;
      if (!account) {
        const t = translator(request, 'staff');
        return sendPage(
          reply,
          loginPage(pageContext(request, reply, { area: 'staff' }), { email, errors: [t.login.failed], staff: true }),
          401,
        );
      }
      await signInSucceeded(app, request);
      await app.startSession(reply, request, account);
      return reply.redirect('/back-office', 303);
    },
  );

  app.post(
    '/back-office/deconnexion',
    { config: { access: 'public' }, ...hidden, preHandler: csrf },
    async (request, reply) => {
      await app.endSession(reply, request, 'staff');
      return reply.redirect('/back-office/connexion', 303);
    },
  );

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
          spaces,
          { spaceId },
          { items: list.items, page, pages },
        ),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/back-office/conversations/:id',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams } },
    async (request, reply) => {
      return renderThread(request, reply, { errors: [] });
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
      const errors: string[] = [];
      const body = validateBody(t, field(request.body, 'body'), errors);
      if (errors.length > 0) return renderThread(request, reply, { body: field(request.body, 'body'), errors }, 400);
      try {
        const { config } = app.deps;
        const displayName = staffDisplayName(staff.full_name, config.REDMINE_STAFF_NAMES, config.REDMINE_TEAM_NAME);
        const answeredAt = new Date();
        await addStaffAnswer(db, workflows, { account: staff, ip: request.ip, displayName }, conversation.id, body);
        await markClientMessagesRead(db, conversation.id, answeredAt);
        return reply.redirect(`/back-office/conversations/${conversation.id}`, 303);
      } catch (err) {
        request.log.error({ err }, 'could not add a staff answer');
        return renderThread(request, reply, { body: field(request.body, 'body'), errors: [t.errors.unavailable] }, 503);
      }
    },
  );

  // A client message's reading state: to read, read, cancelled.
  app.post<{ Params: { id: string; attachmentId: string } }>(
    '/back-office/conversations/:id/messages/:attachmentId/etat',
    { config: { access: 'staff' }, schema: { hide: true, params: attachmentParams }, preHandler: csrf },
    async (request, reply) => {
      const staff = staffOf(request);
      // Another space's conversation does not exist for this staff member.
      if (!(await findStaffConversation(db, request.staffScope, request.params.id))) return reply.callNotFound();
      const wanted = field(request.body, 'state');
      const state = MESSAGE_STAFF_STATES.find((s) => s === wanted);
      if (!state)
        return renderThread(request, reply, { errors: [translator(request, 'staff').clients.stateInvalid] }, 400);
      const messageId = request.params.attachmentId;
      if (!(await setMessageStaffState(db, request.params.id, messageId, state))) return reply.callNotFound();
      await audit(db, {
        actorAccountId: staff.id,
        actorKind: 'staff',
        action: 'message.state',
        subjectType: 'message',
        subjectId: messageId,
        ip: request.ip,
        details: { state },
      });
      return reply.redirect(`/back-office/conversations/${request.params.id}#m-${messageId}`, 303);
    },
  );

  // Every file of a conversation: what clients deposited (also the files too large for Redmine,
  // which the issue links here) and the files of Redmine's public notes.
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

  async function renderThread(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    answer: { body?: string; errors: string[] },
    status = 200,
  ) {
    const conversation = await findStaffConversation(db, request.staffScope, request.params.id);
    if (!conversation) return reply.callNotFound();
    const [messages, space, client, attachments] = await Promise.all([
      listMessages(db, conversation.id),
      db.selectFrom('spaces').select('name').where('id', '=', conversation.space_id).executeTakeFirstOrThrow(),
      db
        .selectFrom('accounts')
        .select(['full_name', 'email'])
        .where('id', '=', conversation.client_account_id)
        .executeTakeFirstOrThrow(),
      attachmentsByMessage(db, conversation.id),
    ]);
    return sendPage(
      reply,
      staffThreadPage(
        pageContext(request, reply, { area: 'staff' }),
        {
          conversation,
          spaceName: space.name,
          clientName: client.full_name,
          clientEmail: client.email,
          messages,
          attachments,
        },
        answer,
      ),
      status,
    );
  }
}
