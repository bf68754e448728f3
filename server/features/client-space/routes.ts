// The client space: the language switch, the client's conversations, writing one, a thread,
// replying, the files of a thread. Signing in and the password request are server/features/auth.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setLocale, spacesOfClient } from '../../../db/accounts.js';
import {
  threadWithAttachments,
  findClientAttachment,
  findClientConversation,
  markAnswersRead,
} from '../../../db/conversations.js';
import { spaceName } from '../../../db/conversation-pages.js';
import { clientConversationPage } from '../../client-list.js';
import { clientLooking } from '../../client-looking.js';
import { isLocale } from '../../../i18n/index.js';
import { addClientMessage, startConversation } from '../../../app/conversations.js';
import { RateLimitedError, rateLimitText } from '../../../app/rate-limits.js';
import type { FileStorage } from '../../../app/file-storage.js';
import { LANG_COOKIE, pageContext, sendPage, translator } from '../../context.js';
import { clientPagesScope } from '../../plugins/client-view.js';
import { clientOf } from '../../plugins/access.js';
import { consumeMailTargets, rateLimited } from '../../plugins/rate-limits.js';
import { sendAttachment } from '../../downloads.js';
import { safeRedirect } from '../../safe-redirect.js';
import { parseForm, typedForm } from '../../forms.js';
import { attachmentParams, idParams } from '../../params.js';
import { discardFiles, formErrors, readFormFields, receiveFiles, type ReceivedFiles } from '../../uploads.js';
import { COMPOSE_FIELDS, REPLY_FIELDS, composeSchema, replySchema } from './forms.js';
import { composePage, conversationListPage, threadPage } from './pages.js';
import { conversationListItem, messageView, spaceChoice, threadView } from './view-models.js';

const PAGE_SIZE = 20;
const hidden = { schema: { hide: true } };

/** The files of a form, discarded unless `keep()` was called: nothing stays stored for a message
 * that was not written, and it is gone before the answer leaves (whoever reads it finds nothing). */
async function withFiles<T>(
  storage: FileStorage,
  received: ReceivedFiles,
  run: (refuse: <A>(answer: () => A) => Promise<A>, keep: () => void) => Promise<T>,
): Promise<T> {
  let kept = false;
  const refuse = async <A>(answer: () => A): Promise<A> => {
    await discardFiles(storage, received.files);
    kept = true;
    return answer();
  };
  try {
    return await run(refuse, () => {
      kept = true;
    });
  } finally {
    // Whatever else went wrong on the way.
    if (!kept) await discardFiles(storage, received.files);
  }
}

export default function clientRoutes(app: FastifyInstance) {
  const { db, config } = app.deps;

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

  app.get<{ Querystring: { page?: string } }>(
    '/conversations',
    // The session is checked in the list's own query (one round trip): the most requested page.
    { ...hidden, config: { access: 'client', clientView: true, clientSessionInQuery: true } },
    async (request, reply) => {
      const page = Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1);
      const slice = { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE };
      // Without a session to check, a head of service's view: the viewer's spaces only.
      const list = await clientConversationPage(request, reply, slice, clientPagesScope(request));
      if (!list) return reply;
      const pages = Math.max(1, Math.ceil(list.total / PAGE_SIZE));
      const items = list.items.map(conversationListItem);
      return sendPage(reply, conversationListPage(pageContext(request, reply), { items, page, pages }));
    },
  );

  app.get('/conversations/nouvelle', { ...hidden, config: { access: 'client' } }, async (request, reply) => {
    const spaces = await spacesOfClient(db, clientOf(request).id);
    return sendPage(reply, composePage(pageContext(request, reply), spaces.map(spaceChoice), {}, []));
  });

  composeRoutes(app);
  threadRoutes(app);
}

/** Writing a new conversation (multipart: text fields and files). */
function composeRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows, storage } = app.deps;
  // Multipart forms: their text fields up to the first file become the body the CSRF check reads.
  const formCsrf = [readFormFields, csrf];
  const signedIn = (request: FastifyRequest) => request.client?.id;

  app.post(
    '/conversations',
    { config: { access: 'client' }, ...hidden, preHandler: [...formCsrf, rateLimited(app, 'conversation', signedIn)] },
    async (request, reply) => {
      const t = translator(request);
      const spaces = await spacesOfClient(db, clientOf(request).id);
      // Files first: text fields that came after them are in the body once they are read.
      const received = await receiveFiles(app, request, storage);
      const values = typedForm(request.body, COMPOSE_FIELDS);
      const spaceIds = spaces.map((s) => s.id);
      const page = (errors: string[], status: number) =>
        sendPage(reply, composePage(pageContext(request, reply), spaces.map(spaceChoice), values, errors), status);
      return withFiles(storage, received, async (refuse, keep) => {
        const parsed = parseForm(composeSchema(t, spaceIds), values);
        const errors = formErrors(t, parsed.ok ? [] : parsed.errors, received);
        if (!parsed.ok || errors.length > 0) return await refuse(() => page(errors, 400));
        const { spaceId, subject, body, cc } = parsed.values;
        try {
          // Each Cc address gets mails of this conversation: a bounded number a day from one account.
          await consumeMailTargets(app, clientOf(request).id, cc ? cc.split(', ') : []);
        } catch (err) {
          if (!(err instanceof RateLimitedError)) throw err;
          void reply.header('retry-after', String(err.retryAfterSeconds));
          return await refuse(() => page([rateLimitText(t, err)], 429));
        }
        try {
          const { conversationId } = await startConversation(
            db,
            workflows,
            { account: clientOf(request), ip: request.ip },
            { spaceId, subject, body, cc, attachments: received.files },
          );
          keep();
          return reply.redirect(`/conversations/${conversationId}`, 303);
        } catch (err) {
          request.log.error({ err }, 'could not start a conversation');
          return await refuse(() => page(formErrors(t, [t.errors.unavailable], received), 503));
        }
      });
    },
  );
}

/** A thread: reading it, replying (multipart), its files. */
function threadRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows, storage } = app.deps;
  const formCsrf = [readFormFields, csrf];
  const signedIn = (request: FastifyRequest) => request.client?.id;

  app.get<{ Params: { id: string } }>(
    '/conversations/:id',
    { schema: { hide: true, params: idParams }, config: { access: 'client', clientView: true } },
    async (request, reply) => {
      return renderThread(app, request, reply, { errors: [] });
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
      const typed = typedForm(request.body, REPLY_FIELDS);
      return withFiles(storage, received, async (refuse, keep) => {
        const parsed = parseForm(replySchema(t), typed);
        const errors = formErrors(t, parsed.ok ? [] : parsed.errors, received);
        if (!parsed.ok || errors.length > 0)
          return await refuse(() => renderThread(app, request, reply, { body: typed.body, errors }, 400));
        try {
          const { messageId } = await addClientMessage(
            db,
            workflows,
            { account: clientOf(request), ip: request.ip },
            conversation.id,
            parsed.values.body,
            received.files,
          );
          keep();
          return reply.redirect(`/conversations/${conversation.id}#m-${messageId}`, 303);
        } catch (err) {
          request.log.error({ err }, 'could not add a client message');
          const unavailable = formErrors(t, [t.errors.unavailable], received);
          return await refuse(() => renderThread(app, request, reply, { body: typed.body, errors: unavailable }, 503));
        }
      });
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
}

/** A thread page, with the reply form as typed and its errors. */
async function renderThread(
  app: FastifyInstance,
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
  reply_: { body?: string; errors: string[] },
  status = 200,
) {
  const { db } = app.deps;
  const client = clientOf(request);
  // Ownership is part of the query: another client's conversation is simply not found.
  const conversation = await findClientConversation(db, client.id, request.params.id, clientPagesScope(request));
  if (!conversation) return reply.callNotFound();
  const [{ messages, attachments }, space] = await Promise.all([
    threadWithAttachments(db, conversation.id),
    spaceName(db, conversation.space_id),
    // A head of service's view reads without reading for the client.
    request.clientView ? Promise.resolve() : markAnswersRead(db, conversation.id),
    // Someone is looking at this thread: the Redmine poll keeps its fast pace (throttled write).
    clientLooking(db, request),
  ]);
  const view = threadView(conversation, space);
  return sendPage(
    reply,
    threadPage(
      pageContext(request, reply),
      view,
      messages.map(messageView),
      reply_,
      attachments,
      app.deps.config.REDMINE_TEXT_FORMATTING,
    ),
    status,
  );
}
