// The back-office's case page: the documents deposited, their download (the original, always),
// their review (validated as a piece, or refused for a reason) and the closing of the case. A case
// outside the staff member's spaces is "not found".
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../../db/connect.js';
import type { Case } from '../../../db/database.js';
import { DOCUMENT_SUBJECT } from '../../../db/case-record.js';
import { findCaseDocument, findStaffCase, templateCategories } from '../../../db/documents.js';
import { closeCase, review } from '../../../app/documents.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { sendAttachment, type AttachmentRow } from '../../downloads.js';
import { parseForm } from '../../forms.js';
import { idParams } from '../../params.js';
import { staffOf } from '../../plugins/access.js';
import { caseWork } from '../cases/parts.js';
import { staffCaseView } from './case-views.js';
import { flashText, flashUrl } from './flash.js';
import { reviewSchema } from './forms.js';
import { staffCasePage } from './pages.js';
import { docParams } from './params.js';

function asAttachment(doc: {
  id: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  created_at: Date;
}): AttachmentRow {
  return { ...doc, message_id: '', redmine_attachment_id: null };
}

/** The staff case page with an error above it (a refused review). */
async function renderError(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  kase: Case,
  message: string,
  status: number,
) {
  const ctx = pageContext(request, reply, { area: 'staff' });
  const view = { ...(await staffCaseView(db, kase, ctx.locale)), work: await caseWork(db, {}, kase) };
  return sendPage(reply, staffCasePage(ctx, view, [message]), status);
}

export function staffCaseRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;

  app.get<{ Params: { id: string }; Querystring: { ok?: string; number?: string; fait?: string; erreur?: string } }>(
    '/back-office/dossiers/:id',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const kase = await findStaffCase(db, request.staffScope, request.params.id);
      if (!kase) return reply.callNotFound();
      const t = translator(request, 'staff');
      const flash = flashText(t, request.query);
      const ctx = pageContext(request, reply, {
        area: 'staff',
        flash: flash ? { kind: 'info', text: flash } : undefined,
      });
      const view = { ...(await staffCaseView(db, kase, ctx.locale)), work: await caseWork(db, request.query, kase) };
      return sendPage(reply, staffCasePage(ctx, view, []));
    },
  );

  app.get<{ Params: { id: string; docId: string } }>(
    '/back-office/dossiers/:id/documents/:docId',
    { config: { access: 'staff' }, schema: { hide: true, params: docParams } },
    async (request, reply) => {
      const kase = await findStaffCase(db, request.staffScope, request.params.id);
      const doc = kase ? await findCaseDocument(db, kase.id, request.params.docId) : undefined;
      return sendAttachment(
        app,
        request,
        reply,
        doc ? asAttachment(doc) : undefined,
        { accountId: staffOf(request).id, kind: 'staff' },
        doc
          ? { subject: { type: DOCUMENT_SUBJECT, id: doc.id, details: { caseId: doc.case_id, variant: 'original' } } }
          : {},
      );
    },
  );

  reviewRoute(app);

  app.post<{ Params: { id: string } }>(
    '/back-office/dossiers/:id/cloture',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const kase = await findStaffCase(db, request.staffScope, request.params.id);
      if (!kase) return reply.callNotFound();
      await closeCase(db, workflows, { account: staffOf(request), ip: request.ip }, kase);
      return reply.redirect(flashUrl(`/back-office/dossiers/${kase.id}`, 'closed'), 303);
    },
  );
}

/** A document's review: validated as a piece, or refused for a reason. */
function reviewRoute(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;
  app.post<{ Params: { id: string; docId: string } }>(
    '/back-office/dossiers/:id/documents/:docId/examen',
    { config: { access: 'staff' }, schema: { hide: true, params: docParams }, preHandler: csrf },
    async (request, reply) => {
      const t = translator(request, 'staff');
      const kase = await findStaffCase(db, request.staffScope, request.params.id);
      const doc = kase ? await findCaseDocument(db, kase.id, request.params.docId) : undefined;
      if (!kase || !doc) return reply.callNotFound();
      const category = (await templateCategories(db, kase.template_id)).find((c) => c.id === doc.category_id);
      if (!category) return reply.callNotFound();
      const parsed = parseForm(reviewSchema(t, category), request.body);
      if (!parsed.ok) return renderError(db, request, reply, kase, parsed.errors[0] ?? t.errors.badForm, 400);
      try {
        const actor = { account: staffOf(request), ip: request.ip };
        const row = await review(db, workflows, actor, kase, doc.id, parsed.values);
        if (!row) return await renderError(db, request, reply, kase, t.documents.alreadyReviewed, 409);
      } catch (err) {
        request.log.error({ err }, 'could not record a review');
        return renderError(db, request, reply, kase, t.errors.unavailable, 503);
      }
      return reply.redirect(flashUrl(`/back-office/dossiers/${kase.id}`, 'reviewed', {}, `#cat-${category.code}`), 303);
    },
  );
}
