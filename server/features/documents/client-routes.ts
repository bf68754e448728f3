// The client space's cases: the list and search, a case's page, a document withdrawn before its
// review, a document downloaded (the unpaid-cases rule applies) and the comment sent to staff.
// The deposits (files, splitting) are in deposit-routes.ts.
import type { FastifyInstance } from 'fastify';
import { visibleDocument } from '../../../db/contributors.js';
import { mayWithdraw } from '../../../domain/contributor-access.js';
import { DOCUMENT_SUBJECT } from '../../../db/case-record.js';
import { searchCases } from '../../../db/documents.js';
import { sendCaseComment, withdraw } from '../../../app/documents.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { parseForm, typedForm } from '../../forms.js';
import { idParams } from '../../params.js';
import { clientOf } from '../../plugins/access.js';
import { clientPagesScope } from '../../plugins/client-view.js';
import { sendClientCaseDownload } from '../cases/parts.js';
import { type ClientCase } from './client-case.js';
import { flashText, flashUrl } from './flash.js';
import { COMMENT_FIELDS, commentSchema } from './forms.js';
import { caseListPage } from './pages.js';
import { caseListItems } from './view-models.js';
import { docParams } from './params.js';

const hidden = { schema: { hide: true } };

export function clientCaseRoutes(app: FastifyInstance, cases: ClientCase) {
  casePageRoutes(app, cases);
  clientDocumentRoutes(app, cases);
  commentRoute(app, cases);
}

/** The list and search of the client's cases, and a case's page. */
function casePageRoutes(app: FastifyInstance, cases: ClientCase) {
  const { db } = app.deps;
  app.get<{ Querystring: { q?: string } }>(
    '/dossiers',
    { ...hidden, config: { access: 'client', clientView: true } },
    async (request, reply) => {
      const query = (request.query.q ?? '').slice(0, 200);
      const items = await searchCases(db, query, { clientId: clientOf(request).id, scope: clientPagesScope(request) });
      if (query.trim() !== '' && items.length === 1 && items[0]) return reply.redirect(`/dossiers/${items[0].id}`);
      const ctx = pageContext(request, reply);
      return sendPage(
        reply,
        caseListPage(ctx, { items: caseListItems(items, ctx.locale), query, staff: false }),
        query && items.length === 0 ? 404 : 200,
      );
    },
  );

  app.get<{ Params: { id: string }; Querystring: { ok?: string; n?: string; name?: string } }>(
    '/dossiers/:id',
    { schema: { hide: true, params: idParams }, config: { access: 'client', clientView: true } },
    async (request, reply) => {
      const access = await cases.accessOf(request, request.params.id);
      if (!access) return reply.callNotFound();
      return cases.render(request, reply, access, { errors: [] }, 200, flashText(translator(request), request.query));
    },
  );
}

/** A document withdrawn before its review, a document downloaded. */
function clientDocumentRoutes(app: FastifyInstance, cases: ClientCase) {
  const csrf = app.csrfProtection.bind(app);
  const { db, storage } = app.deps;
  app.post<{ Params: { id: string; docId: string } }>(
    '/dossiers/:id/documents/:docId/retrait',
    { config: { access: 'client' }, schema: { hide: true, params: docParams }, preHandler: csrf },
    async (request, reply) => {
      const access = await cases.accessOf(request, request.params.id);
      if (!access) return reply.callNotFound();
      const kase = access.kase;
      const doc = await visibleDocument(db, access, request.params.docId);
      if (!doc) return reply.callNotFound();
      if (!mayWithdraw(access, doc))
        return cases.render(request, reply, access, { errors: [translator(request).contributors.readOnly] }, 403);
      const removed = await withdraw(db, { account: clientOf(request), ip: request.ip }, kase, doc.id);
      if (!removed) return reply.redirect(flashUrl(`/dossiers/${kase.id}`, 'late'), 303);
      await storage.delete(removed.storage_key);
      return reply.redirect(flashUrl(`/dossiers/${kase.id}`, 'withdrawn', { name: removed.file_name }), 303);
    },
  );

  app.get<{ Params: { id: string; docId: string } }>(
    '/dossiers/:id/documents/:docId',
    { config: { access: 'client' }, schema: { hide: true, params: docParams } },
    async (request, reply) => {
      const access = await cases.accessOf(request, request.params.id);
      if (!access) return reply.callNotFound();
      // Only a file this person may see; the unpaid-cases rule covers every file a client downloads.
      return sendClientCaseDownload(
        app,
        request,
        reply,
        access.kase,
        await visibleDocument(db, access, request.params.docId),
        DOCUMENT_SUBJECT,
      );
    },
  );
}

/** The comment sent to staff from the case page. */
function commentRoute(app: FastifyInstance, cases: ClientCase) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;
  app.post<{ Params: { id: string } }>(
    '/dossiers/:id/commentaires',
    { config: { access: 'client' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const t = translator(request);
      const access = await cases.accessOf(request, request.params.id);
      if (!access) return reply.callNotFound();
      const kase = access.kase;
      if (!access.permissions.message)
        return cases.render(request, reply, access, { errors: [t.contributors.noMessages] }, 403);
      const parsed = parseForm(commentSchema(t), request.body);
      if (!parsed.ok) {
        const typed = typedForm(request.body, COMMENT_FIELDS);
        return cases.render(request, reply, access, { errors: parsed.errors, comment: typed.comment }, 400);
      }
      const comment = parsed.values.comment;
      try {
        await sendCaseComment(db, workflows, { account: clientOf(request), ip: request.ip }, kase, comment);
      } catch (err) {
        request.log.error({ err }, 'could not send a case comment');
        return cases.render(request, reply, access, { errors: [t.errors.unavailable], comment }, 503);
      }
      return reply.redirect(flashUrl(`/dossiers/${kase.id}`, 'comment', {}, '#comment-title'), 303);
    },
  );
}
