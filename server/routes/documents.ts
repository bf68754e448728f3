// Document collection: the client's cases and deposits (plain forms that work without
// JavaScript, the same routes answer JSON to the page's script), the splitting zone, and the
// staff review. Who may see what is decided by one function, caseAccessFor (db/contributors.ts):
// the main client sees everything, a contributor only their role's pieces and own files, as their
// permissions allow; anything else is "not found" (404, so that existence does not leak).
import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findAccountById } from '../../db/accounts.js';
import type { Account, Case, DocumentCategory } from '../../db/database.js';
import {
  caseAccessFor,
  caseMembers,
  mayWithdraw,
  visibleDocument,
  visibleProgress,
  type CaseAccess,
} from '../../db/contributors.js';
import {
  caseProgress,
  categoryLabel,
  findCaseDocument,
  findStaffCase,
  lastCaseComment,
  searchCases,
  templateCategories,
  type CategoryState,
} from '../../db/documents.js';
import type { Messages } from '../../i18n/index.js';
import { pageContext, resolveLocale, sendPage, translator } from '../context.js';
import { sendAttachment, type AttachmentRow } from '../downloads.js';
import { refusalMessage } from '../../domain/files.js';
import { SplitPieceRefused, cutStoredPdf, parsePageList } from '../documents/pdf.js';
import { closeCase, depositDocuments, review, sendCaseComment, withdraw } from '../../app/documents.js';
import { discardFiles, readFormFields, receiveFiles, type ReceivedFiles } from '../uploads.js';
import { field } from '../../domain/validation.js';
import { rateLimited } from '../plugins/rate-limits.js';
import { caseListPage, clientCasePage, staffCasePage, type CaseView } from '../views/document-pages.js';
import { idParams } from '../params.js';
import { caseWork } from '../features/cases/parts.js';
import { DOCUMENT_SUBJECT } from '../../db/case-record.js';
import { loadCaseRecord } from '../../app/case-record.js';
import { caseRecordFlash } from '../features/cases/parts.js';
import { sendClientCaseDownload } from '../features/cases/parts.js';
import { clientPagesScope } from '../plugins/client-view.js';
import { scopeHasSpace } from '../../db/staff-access.js';
import { clientOf, staffOf, withAccess } from '../plugins/access.js';

const hidden = { schema: { hide: true } };
const COMMENT_MAX = 2000;
const docParams = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uuid' }, docId: { type: 'string', format: 'uuid' } },
  required: ['id', 'docId'],
} as const;

type Flash =
  | 'deposited'
  | 'split'
  | 'withdrawn'
  | 'comment'
  | 'reviewed'
  | 'closed'
  | 'late'
  | 'opened'
  | 'person-added'
  | 'person-invited'
  | 'person-revoked'
  | 'invitation-accepted'
  | 'invitation-password';

function flashText(
  t: Messages,
  query: { ok?: string; n?: string; name?: string; number?: string },
): string | undefined {
  const n = Number.parseInt(query.n ?? '1', 10) || 1;
  switch (query.ok as Flash | undefined) {
    case 'deposited':
      return t.documents.uploaded(n, query.name ?? '');
    case 'split':
      return t.documents.splitDone(n);
    case 'withdrawn':
      return t.documents.withdrawn(query.name ?? '');
    case 'comment':
      return t.documents.commentSent;
    case 'reviewed':
      return t.documents.reviewed;
    case 'closed':
      return t.documents.closed;
    case 'late':
      return t.documents.withdrawTooLate;
    case 'opened':
      return t.caseAdmin.opened(query.number ?? '');
    case 'person-added':
      return t.contributors.added(query.name ?? '');
    case 'person-invited':
      return t.contributors.invited(query.name ?? '');
    case 'person-revoked':
      return t.contributors.revoked(query.name ?? '');
    case 'invitation-accepted':
      return t.contributors.accepted;
    case 'invitation-password':
      return t.contributors.passwordSent;
    default:
      return caseRecordFlash(t, query);
  }
}

function flashUrl(base: string, ok: Flash, extra: Record<string, string | number> = {}, anchor = ''): string {
  const params = new URLSearchParams({
    ok,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])),
  });
  return `${base}?${params.toString()}${anchor}`;
}

/** Seed 000's message naming every refused file, then what is wrong with each. */
function refusalErrors(t: Messages, received: ReceivedFiles): string[] {
  if (received.refusals.length === 0) return [];
  const names = received.refusals.map((r) => r.name).filter((n) => n !== '');
  return [
    ...(names.length > 0 ? [t.documents.refusedTitle(names)] : []),
    ...received.refusals.map((r) => refusalMessage(t, r)),
  ];
}

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json');
}

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

export default async function documentRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows, storage } = app.deps;
  const formCsrf = [readFormFields, csrf];
  // Client deposits, per address and account, counted before a byte is read.
  const depositCsrf = [...formCsrf, rateLimited(app, 'upload', (request) => request.client?.id)];

  // pdf.js, from npm, served from here (no CDN): the page renders thumbnails with it.
  const pdfjsDir = path.join(path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'build');
  await withAccess(app, 'public', async (scope) => {
    await scope.register(fastifyStatic, {
      root: pdfjsDir,
      prefix: '/static/pdfjs/',
      decorateReply: false,
      maxAge: '1d',
      allowedPath: (pathName) => pathName === '/pdf.min.mjs' || pathName === '/pdf.worker.min.mjs',
    });
  });

  async function caseView(kase: Case, locale: 'fr' | 'en'): Promise<CaseView & { clientEmail: string }> {
    const [{ template, states }, client, comment, members] = await Promise.all([
      caseProgress(db, kase),
      findAccountById(db, kase.client_account_id),
      lastCaseComment(db, kase.id),
      caseMembers(db, kase.id),
    ]);
    return {
      kase,
      clientName: client?.full_name ?? '',
      clientEmail: client?.email ?? '',
      templateName: locale === 'en' ? template.name_en : template.name,
      states,
      lastComment: comment,
      people: { members, roles: template.roles, viewer: 'staff', mayInvite: true },
      record: await loadCaseRecord(db, kase),
    };
  }

  /** The case as this access sees it: a contributor's view names no other contributor. */
  async function clientCaseView(access: CaseAccess, locale: 'fr' | 'en'): Promise<CaseView> {
    const kase = access.kase;
    const [{ template, states }, client, comment] = await Promise.all([
      visibleProgress(db, access),
      findAccountById(db, kase.client_account_id),
      access.permissions.message
        ? lastCaseComment(db, kase.id, access.kind === 'owner' ? undefined : access.accountId)
        : undefined,
    ]);
    const owner = access.kind === 'owner';
    return {
      kase,
      clientName: client?.full_name ?? '',
      templateName: locale === 'en' ? template.name_en : template.name,
      states,
      lastComment: comment,
      access: { kind: access.kind, role: access.role, permissions: access.permissions, accountId: access.accountId },
      // The case record (payment, the files staff publish) is the whole case's: not a contributor's part.
      ...(access.permissions.seeAll ? { record: await loadCaseRecord(db, kase) } : {}),
      ...(owner
        ? {
            people: {
              members: await caseMembers(db, kase.id),
              roles: template.roles,
              viewer: 'owner' as const,
              mayInvite: template.contributors_invitable,
            },
          }
        : {}),
    };
  }

  async function renderClientCase(
    request: FastifyRequest,
    reply: FastifyReply,
    access: CaseAccess,
    form: { errors: string[]; comment?: string },
    status = 200,
    flash?: string,
  ) {
    const ctx = pageContext(request, reply, { flash: flash ? { kind: 'info', text: flash } : undefined });
    return sendPage(reply, clientCasePage(ctx, await clientCaseView(access, ctx.locale), form), status);
  }

  /** The access of the signed-in client to the case of the URL, or undefined (answer: 404). */
  async function accessOf(request: FastifyRequest, caseId: string): Promise<CaseAccess | undefined> {
    const access = await caseAccessFor(db, clientOf(request).id, caseId);
    // In a head of service's confidential view, only the cases of the viewer's spaces exist.
    return access && scopeHasSpace(clientPagesScope(request), access.kase.space_id) ? access : undefined;
  }

  // ---- Client space ----

  app.get<{ Querystring: { q?: string } }>(
    '/dossiers',
    { ...hidden, config: { access: 'client', clientView: true } },
    async (request, reply) => {
      const query = (request.query.q ?? '').slice(0, 200);
      const items = await searchCases(db, query, { clientId: clientOf(request).id, scope: clientPagesScope(request) });
      if (query.trim() !== '' && items.length === 1 && items[0]) return reply.redirect(`/dossiers/${items[0].id}`);
      return sendPage(
        reply,
        caseListPage(pageContext(request, reply), { items, query, staff: false }),
        query && items.length === 0 ? 404 : 200,
      );
    },
  );

  app.get<{ Params: { id: string }; Querystring: { ok?: string; n?: string; name?: string } }>(
    '/dossiers/:id',
    { schema: { hide: true, params: idParams }, config: { access: 'client', clientView: true } },
    async (request, reply) => {
      const access = await accessOf(request, request.params.id);
      if (!access) return reply.callNotFound();
      return renderClientCase(
        request,
        reply,
        access,
        { errors: [] },
        200,
        flashText(translator(request), request.query),
      );
    },
  );

  /** Refuses the deposit (JSON for the script, the page again otherwise), files already removed. */
  async function refuse(
    request: FastifyRequest,
    reply: FastifyReply,
    access: CaseAccess,
    errors: string[],
    status = 400,
  ) {
    if (wantsJson(request)) return reply.status(status).send({ ok: false, errors });
    return renderClientCase(request, reply, access, { errors }, status);
  }

  /**
   * Who may deposit in this case, or the answer already sent: not found, read-only, closed. Both
   * deposit routes (files, split) start here, before a byte is read.
   */
  async function depositTarget(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
  ): Promise<{ t: Messages; client: Account; access: CaseAccess; states: CategoryState[] } | undefined> {
    const t = translator(request);
    const access = await accessOf(request, request.params.id);
    if (!access) {
      reply.callNotFound();
      return undefined;
    }
    if (!access.permissions.deposit) {
      await refuse(request, reply, access, [t.contributors.readOnly], 403);
      return undefined;
    }
    if (access.kase.status === 'closed') {
      await refuse(request, reply, access, [t.documents.caseClosed], 409);
      return undefined;
    }
    const { states } = await visibleProgress(db, access);
    return { t, client: clientOf(request), access, states };
  }

  app.post<{ Params: { id: string } }>(
    '/dossiers/:id/documents',
    { config: { access: 'client' }, schema: { hide: true, params: idParams }, preHandler: depositCsrf },
    async (request, reply) => {
      const target = await depositTarget(request, reply);
      if (!target) return reply;
      const { t, client, access, states } = target;
      const kase = access.kase;
      const state = states.find((s) => s.category.id === field(request.body, 'category'));
      // Checked before a byte is stored: a form without a valid category keeps nothing.
      if (!state) return refuse(request, reply, access, [t.documents.categoryInvalid]);
      if (state.state === 'complete') return refuse(request, reply, access, [t.documents.categoryDone], 409);
      const received = await receiveFiles(app, request, storage);
      // Files of a refused form are removed before the answer leaves: whoever reads the answer
      // finds nothing stored.
      const fail = async (errors: string[], status = 400) => {
        await discardFiles(storage, received.files);
        return refuse(request, reply, access, errors, status);
      };
      let kept = false;
      try {
        if (received.refusals.length > 0)
          return await fail([...refusalErrors(t, received), ...(received.attempted > 1 ? [t.files.chooseAgain] : [])]);
        if (received.files.length === 0) return await fail([t.documents.noFile]);
        try {
          const rows = await depositDocuments(
            db,
            workflows,
            { account: client, ip: request.ip },
            kase,
            received.files.map((f) => ({
              categoryId: state.category.id,
              fileName: f.fileName,
              contentType: f.contentType,
              sizeBytes: f.sizeBytes,
              sha256: f.sha256,
              storageKey: f.storageKey,
              pageCount: f.pageCount ?? null,
              source: 'upload' as const,
            })),
          );
          kept = true;
          const label = categoryLabel(state.category, resolveLocale(request));
          if (wantsJson(request))
            return await reply.send({
              ok: true,
              message: t.documents.uploaded(rows.length, label),
              documentIds: rows.map((r) => r.id),
            });
          return await reply.redirect(
            flashUrl(
              `/dossiers/${kase.id}`,
              'deposited',
              { n: rows.length, name: label },
              `#cat-${state.category.code}`,
            ),
            303,
          );
        } catch (err) {
          request.log.error({ err }, 'could not record a deposit');
          return await fail([t.documents.unavailable], 503);
        }
      } finally {
        if (!kept) await discardFiles(storage, received.files);
      }
    },
  );

  app.post<{ Params: { id: string } }>(
    '/dossiers/:id/decoupage',
    { config: { access: 'client' }, schema: { hide: true, params: idParams }, preHandler: depositCsrf },
    async (request, reply) => {
      const target = await depositTarget(request, reply);
      if (!target) return reply;
      const { t, client, access, states } = target;
      const kase = access.kase;
      const open = states.filter((s) => s.state !== 'complete');
      const received = await receiveFiles(app, request, storage);
      const source = received.files[0];
      // The original is cut into the documents and never kept; it is removed before any answer.
      const fail = async (errors: string[], status = 400) => {
        await discardFiles(storage, received.files);
        return refuse(request, reply, access, errors, status);
      };
      try {
        if (received.refusals.length > 0) return await fail(refusalErrors(t, received));
        if (!source || received.files.length > 1 || source.contentType !== 'application/pdf' || !source.pageCount)
          return await fail([t.documents.splitNotPdf]);
        const errors: string[] = [];
        const seen = new Map<number, string>();
        const pieces: Array<{ category: DocumentCategory; pages: number[] }> = [];
        for (const s of open) {
          const label = categoryLabel(s.category, resolveLocale(request));
          const pages = parsePageList(field(request.body, `pages-${s.category.id}`), source.pageCount);
          if (!pages) {
            errors.push(t.documents.splitPagesInvalid(label));
            continue;
          }
          for (const p of pages) {
            if (seen.has(p)) errors.push(t.documents.splitPageTwice(p));
            seen.set(p, s.category.id);
          }
          if (pages.length > 0) pieces.push({ category: s.category, pages });
        }
        if (errors.length === 0 && pieces.length === 0) errors.push(t.documents.splitNothing);
        if (errors.length > 0) return await fail([...new Set(errors)]);
        let cut: Awaited<ReturnType<typeof cutStoredPdf>>;
        try {
          cut = await cutStoredPdf(storage, source.storageKey, pieces, source.fileName);
        } catch (err) {
          if (!(err instanceof SplitPieceRefused)) throw err;
          return await fail([refusalMessage(t, err.refusal)]);
        }
        try {
          const base = source.fileName.replace(/\.pdf$/i, '');
          const rows = await depositDocuments(
            db,
            workflows,
            { account: client, ip: request.ip },
            kase,
            cut.map((c, i) => {
              const piece = pieces[i]!;
              return {
                categoryId: piece.category.id,
                fileName: `${base} – ${categoryLabel(piece.category, resolveLocale(request))}.pdf`,
                contentType: 'application/pdf',
                sizeBytes: c.sizeBytes,
                sha256: c.sha256,
                storageKey: c.key,
                pageCount: c.pageCount,
                source: 'split' as const,
              };
            }),
          );
          await discardFiles(storage, received.files);
          if (wantsJson(request))
            return await reply.send({
              ok: true,
              message: t.documents.splitDone(rows.length),
              documentIds: rows.map((r) => r.id),
            });
          return await reply.redirect(flashUrl(`/dossiers/${kase.id}`, 'split', { n: rows.length }), 303);
        } catch (err) {
          await Promise.all(cut.map((c) => storage.delete(c.key)));
          request.log.error({ err }, 'could not record a split deposit');
          return await fail([t.documents.unavailable], 503);
        }
      } finally {
        // Whatever went wrong on the way, the original is not kept.
        await discardFiles(storage, received.files);
      }
    },
  );

  app.post<{ Params: { id: string; docId: string } }>(
    '/dossiers/:id/documents/:docId/retrait',
    { config: { access: 'client' }, schema: { hide: true, params: docParams }, preHandler: csrf },
    async (request, reply) => {
      const access = await accessOf(request, request.params.id);
      if (!access) return reply.callNotFound();
      const kase = access.kase;
      const doc = await visibleDocument(db, access, request.params.docId);
      if (!doc) return reply.callNotFound();
      if (!mayWithdraw(access, doc))
        return renderClientCase(request, reply, access, { errors: [translator(request).contributors.readOnly] }, 403);
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
      const access = await accessOf(request, request.params.id);
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

  app.post<{ Params: { id: string } }>(
    '/dossiers/:id/commentaires',
    { config: { access: 'client' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const t = translator(request);
      const access = await accessOf(request, request.params.id);
      if (!access) return reply.callNotFound();
      const kase = access.kase;
      if (!access.permissions.message)
        return renderClientCase(request, reply, access, { errors: [t.contributors.noMessages] }, 403);
      const comment = field(request.body, 'comment').trim();
      const errors =
        comment === ''
          ? [t.documents.commentRequired]
          : comment.length > COMMENT_MAX
            ? [t.documents.commentTooLong]
            : [];
      if (errors.length > 0)
        return renderClientCase(request, reply, access, { errors, comment: field(request.body, 'comment') }, 400);
      try {
        await sendCaseComment(db, workflows, { account: clientOf(request), ip: request.ip }, kase, comment);
      } catch (err) {
        request.log.error({ err }, 'could not send a case comment');
        return renderClientCase(request, reply, access, { errors: [t.errors.unavailable], comment }, 503);
      }
      return reply.redirect(flashUrl(`/dossiers/${kase.id}`, 'comment', {}, '#comment-title'), 303);
    },
  );

  // ---- Back-office ----

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
      return sendPage(
        reply,
        staffCasePage(
          ctx,
          { ...(await caseView(kase, ctx.locale)), work: await caseWork(db, request.query, kase) },
          [],
        ),
      );
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
      const decision = field(request.body, 'decision');
      const comment = field(request.body, 'comment').trim().slice(0, 500) || null;
      const renderError = async (message: string, status: number) => {
        const ctx = pageContext(request, reply, { area: 'staff' });
        return sendPage(
          reply,
          staffCasePage(ctx, { ...(await caseView(kase, ctx.locale)), work: await caseWork(db, {}, kase) }, [message]),
          status,
        );
      };
      let outcome: Parameters<typeof review>[5];
      if (decision === 'validate') {
        const piece = field(request.body, 'piece');
        outcome = {
          outcome: 'validated',
          pieceCode: category.pieces.some((p) => p.code === piece) ? piece : null,
          comment,
        };
      } else if (decision === 'reject') {
        const reason = field(request.body, 'reason');
        if (!category.refusal_reasons.some((r) => r.code === reason && !r.archived))
          return renderError(t.documents.reasonRequired, 400);
        outcome = { outcome: 'rejected', reason, comment };
      } else {
        return renderError(t.errors.badForm, 400);
      }
      try {
        const row = await review(db, workflows, { account: staffOf(request), ip: request.ip }, kase, doc.id, outcome);
        if (!row) return await renderError(t.documents.alreadyReviewed, 409);
      } catch (err) {
        request.log.error({ err }, 'could not record a review');
        return renderError(t.errors.unavailable, 503);
      }
      return reply.redirect(flashUrl(`/back-office/dossiers/${kase.id}`, 'reviewed', {}, `#cat-${category.code}`), 303);
    },
  );

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
