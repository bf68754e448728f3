// The client space: login, password by e-mail, conversations.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { spacesOfClient } from '../../db/accounts.js';
import {
  attachmentsByMessage,
  findClientAttachment,
  findClientConversation,
  listClientConversations,
  listMessages,
  markAnswersRead,
} from '../../db/conversations.js';
import { isLocale } from '../../i18n/index.js';
import { setLocale } from '../../db/accounts.js';
import { LANG_COOKIE, pageContext, sendPage, translator } from '../context.js';
import { clientPagesScope } from '../plugins/client-view.js';
import { clientOf } from '../plugins/access.js';
import { sendAttachment } from '../downloads.js';
import { safeRedirect } from '../safe-redirect.js';
import { authenticate, requestPassword } from '../../app/accounts.js';
import { addClientMessage, startConversation } from '../../app/conversations.js';
import { attachmentParams, idParams } from '../params.js';
import { signInLimit, signInSucceeded } from '../sign-in.js';
import { discardFiles, formErrors, readFormFields, receiveFiles } from '../uploads.js';
import { field, isEmail, validateBody, validateCc, validateSubject } from '../../domain/validation.js';
import { loginPage, passwordRequestPage } from '../views/auth-pages.js';
import { consumeMailTargets, rateLimited } from '../plugins/rate-limits.js';
import { RateLimitedError, rateLimitText } from '../../app/rate-limits.js';
import { composePage, conversationListPage, threadPage } from '../views/conversation-pages.js';

const PAGE_SIZE = 20;
/** A password request's answer never leaves sooner: well above a known address's work (a
 * scrypt hash, a transaction, a Temporal start), even on a loaded machine. */
export const PASSWORD_REQUEST_MIN_MS = 1000;
const hidden = { schema: { hide: true } };

export default function clientRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows, config, storage } = app.deps;
  // Multipart forms: their text fields up to the first file become the body the CSRF check reads.
  const formCsrf = [readFormFields, csrf];
  const signedIn = (request: FastifyRequest) => request.client?.id;

  app.get('/', { ...hidden, config: { access: 'public', clientView: true } }, (request, reply) =>
    reply.redirect(request.client ? '/conversations' : '/connexion'),
  );

  app.get<{ Params: { locale: string }; Querystring: { next?: string } }>(
    '/langue/:locale',
    { ...hidden, config: { access: 'public' } },
    async (request, reply) => {
      const { locale } = request.params;
      if (!isLocale(locale)) return reply.callNotFound();
      reply.setCookie(LANG_COOKIE, locale, {
        path: '/',
        sameSite: 'lax',
        maxAge: 365 * 86_400,
        secure: config.cookieSecure,
      });
      // E-mails follow the language the person reads.
      if (request.client) await setLocale(db, clientOf(request).id, locale);
      if (request.staff) await setLocale(db, request.staff.id, locale);
      return reply.redirect(safeRedirect(request.query.next));
    },
  );

  app.get<{ Querystring: { expire?: string; out?: string } }>(
    '/connexion',
    { ...hidden, config: { access: 'public' } },
    (request, reply) => {
      if (request.client) return reply.redirect('/conversations');
      const t = translator(request);
      const flash = request.query.expire
        ? { kind: 'info' as const, text: t.login.expired }
        : request.query.out
          ? { kind: 'info' as const, text: t.login.loggedOut }
          : undefined;
      return sendPage(reply, loginPage(pageContext(request, reply, { flash }), {}));
    },
  );

  app.post(
    '/connexion',
    { ...hidden, config: { access: 'public' }, preHandler: [csrf, signInLimit(app)] },
    async (request, reply) => {
      const email = field(request.body, 'email').trim();
      const password = field(request.body, 'password');
      const account = email && password ? await authenticate(db, 'client', email, password, request.ip) : undefined;
      if (!account) {
        const t = translator(request);
        return sendPage(reply, loginPage(pageContext(request, reply), { email, errors: [t.login.failed] }), 401);
      }
      // A language chosen before logging in is the account's from now on: e-mails follow it.
      const chosen = request.cookies[LANG_COOKIE];
      if (isLocale(chosen) && chosen !== account.locale) await setLocale(db, account.id, chosen);
      await signInSucceeded(app, request);
      await app.startSession(reply, request, account);
      return reply.redirect('/conversations', 303);
    },
  );

  app.post('/deconnexion', { config: { access: 'public' }, ...hidden, preHandler: csrf }, async (request, reply) => {
    await app.endSession(reply, request, 'client');
    return reply.redirect('/connexion?out=1', 303);
  });

  app.get('/mot-de-passe', { ...hidden, config: { access: 'public' } }, (request, reply) =>
    sendPage(reply, passwordRequestPage(pageContext(request, reply), {})),
  );

  const passwordLimit = rateLimited(app, 'passwordRequest', (request) => field(request.body, 'email'));
  app.post(
    '/mot-de-passe',
    { ...hidden, config: { access: 'public' }, preHandler: [csrf, passwordLimit] },
    async (request, reply) => {
      const t = translator(request);
      const email = field(request.body, 'email').trim();
      if (!isEmail(email)) {
        return sendPage(
          reply,
          passwordRequestPage(pageContext(request, reply), { email, errors: [t.errors.emailInvalid] }),
          400,
        );
      }
      const started = performance.now();
      await requestPassword(db, workflows, { email, ip: request.ip, loginUrl: `${config.publicUrl}/connexion` });
      // A known address writes and signals Temporal, an unknown one does not: both answers leave
      // after the same minimum time, so timing does not tell which addresses have an account.
      await sleep(Math.max(0, PASSWORD_REQUEST_MIN_MS - (performance.now() - started)));
      return sendPage(reply, passwordRequestPage(pageContext(request, reply), { sent: true }));
    },
  );

  app.get<{ Querystring: { page?: string } }>(
    '/conversations',
    { ...hidden, config: { access: 'client', clientView: true } },
    async (request, reply) => {
      const page = Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1);
      const list = await listClientConversations(
        db,
        clientOf(request).id,
        { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE },
        clientPagesScope(request),
      );
      const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
      return sendPage(reply, conversationListPage(pageContext(request, reply), { items: list.items, page, pages }));
    },
  );

  app.get('/conversations/nouvelle', { ...hidden, config: { access: 'client' } }, async (request, reply) => {
    const spaces = await spacesOfClient(db, clientOf(request).id);
    return sendPage(reply, composePage(pageContext(request, reply), spaces, {}, []));
  });

  app.post(
    '/conversations',
    { config: { access: 'client' }, ...hidden, preHandler: [...formCsrf, rateLimited(app, 'conversation', signedIn)] },
    async (request, reply) => {
      const t = translator(request);
      const spaces = await spacesOfClient(db, clientOf(request).id);
      // Files first: text fields that came after them are in the body once they are read.
      const received = await receiveFiles(app, request, storage);
      let kept = false;
      // Nothing stays stored for a message that was not written, and it is gone before the answer
      // leaves: whoever reads the answer finds nothing stored.
      const refuse = async <T>(answer: () => T): Promise<T> => {
        await discardFiles(storage, received.files);
        kept = true;
        return answer();
      };
      try {
        const fieldErrors: string[] = [];
        const spaceId = field(request.body, 'spaceId');
        if (!spaces.some((s) => s.id === spaceId)) fieldErrors.push(t.errors.spaceInvalid);
        const subject = validateSubject(t, field(request.body, 'subject'), fieldErrors);
        const body = validateBody(t, field(request.body, 'body'), fieldErrors);
        const cc = validateCc(t, field(request.body, 'cc'), fieldErrors);
        const values = {
          spaceId,
          subject: field(request.body, 'subject'),
          body: field(request.body, 'body'),
          cc: field(request.body, 'cc'),
        };
        const errors = formErrors(t, fieldErrors, received);
        if (errors.length > 0)
          return await refuse(() =>
            sendPage(reply, composePage(pageContext(request, reply), spaces, values, errors), 400),
          );
        try {
          // Each Cc address gets mails of this conversation: a bounded number a day from one account.
          await consumeMailTargets(app, clientOf(request).id, cc ? cc.split(', ') : []);
        } catch (err) {
          if (!(err instanceof RateLimitedError)) throw err;
          void reply.header('retry-after', String(err.retryAfterSeconds));
          return await refuse(() =>
            sendPage(reply, composePage(pageContext(request, reply), spaces, values, [rateLimitText(t, err)]), 429),
          );
        }
        try {
          const { conversationId } = await startConversation(
            db,
            workflows,
            { account: clientOf(request), ip: request.ip },
            { spaceId, subject, body, cc, attachments: received.files },
          );
          kept = true;
          return reply.redirect(`/conversations/${conversationId}`, 303);
        } catch (err) {
          request.log.error({ err }, 'could not start a conversation');
          return await refuse(() =>
            sendPage(
              reply,
              composePage(pageContext(request, reply), spaces, values, formErrors(t, [t.errors.unavailable], received)),
              503,
            ),
          );
        }
      } finally {
        // Whatever else went wrong on the way.
        if (!kept) await discardFiles(storage, received.files);
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    '/conversations/:id',
    { schema: { hide: true, params: idParams }, config: { access: 'client', clientView: true } },
    async (request, reply) => {
      return renderThread(request, reply, { errors: [] });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/conversations/:id/messages',
    {
      config: { access: 'client' },
      schema: { hide: true, params: idParams },
      preHandler: [...formCsrf, rateLimited(app, 'message', signedIn)],
    },
    async (request, reply) => {
      const t = translator(request);
      const conversation = await findClientConversation(db, clientOf(request).id, request.params.id);
      if (!conversation) return reply.callNotFound();
      const received = await receiveFiles(app, request, storage);
      let kept = false;
      const refuse = async <T>(answer: () => T): Promise<T> => {
        await discardFiles(storage, received.files);
        kept = true;
        return answer();
      };
      try {
        const fieldErrors: string[] = [];
        const body = validateBody(t, field(request.body, 'body'), fieldErrors);
        const errors = formErrors(t, fieldErrors, received);
        if (errors.length > 0)
          return await refuse(() => renderThread(request, reply, { body: field(request.body, 'body'), errors }, 400));
        try {
          const { messageId } = await addClientMessage(
            db,
            workflows,
            { account: clientOf(request), ip: request.ip },
            conversation.id,
            body,
            received.files,
          );
          kept = true;
          return reply.redirect(`/conversations/${conversation.id}#m-${messageId}`, 303);
        } catch (err) {
          request.log.error({ err }, 'could not add a client message');
          return await refuse(() =>
            renderThread(
              request,
              reply,
              { body: field(request.body, 'body'), errors: formErrors(t, [t.errors.unavailable], received) },
              503,
            ),
          );
        }
      } finally {
        if (!kept) await discardFiles(storage, received.files);
      }
    },
  );

  app.get<{ Params: { id: string; attachmentId: string } }>(
    '/conversations/:id/pieces-jointes/:attachmentId',
    { config: { access: 'client' }, schema: { hide: true, params: attachmentParams } },
    async (request, reply) => {
      // Ownership is in the query: someone else's file is simply not found.
      const attachment = await findClientAttachment(
        db,
        clientOf(request).id,
        request.params.id,
        request.params.attachmentId,
      );
      return sendAttachment(app, request, reply, attachment, { accountId: clientOf(request).id, kind: 'client' });
    },
  );

  async function renderThread(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
    reply_: { body?: string; errors: string[] },
    status = 200,
  ) {
    const client = clientOf(request);
    // Ownership is part of the query: another client's conversation is simply not found.
    const conversation = await findClientConversation(db, client.id, request.params.id, clientPagesScope(request));
    if (!conversation) return reply.callNotFound();
    const [messages, space, attachments] = await Promise.all([
      listMessages(db, conversation.id),
      db.selectFrom('spaces').select('name').where('id', '=', conversation.space_id).executeTakeFirstOrThrow(),
      attachmentsByMessage(db, conversation.id),
      // A head of service's view reads without reading for the client.
      request.clientView ? Promise.resolve() : markAnswersRead(db, conversation.id),
    ]);
    return sendPage(
      reply,
      threadPage(
        pageContext(request, reply),
        { ...conversation, spaceName: space.name },
        messages,
        reply_,
        attachments,
      ),
      status,
    );
  }
}
