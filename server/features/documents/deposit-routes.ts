// The client's deposits: files into one category, and the splitting zone (one PDF cut into one
// document per category). Plain multipart forms that work without JavaScript; the same routes
// answer JSON to the page's script. Whoever may not deposit is refused before a byte is read, and
// the files of a refused form are removed before the answer leaves.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account, DocumentCategory } from '../../../db/database.js';
import { visibleProgress, type CaseAccess } from '../../../db/contributors.js';
import type { CategoryState } from '../../../db/documents.js';
import { categoryLabel } from '../../../domain/pieces.js';
import { refusalMessage } from '../../../domain/files.js';
import type { Messages } from '../../../i18n/index.js';
import { depositDocuments } from '../../../app/documents.js';
import { SplitPieceRefused, cutStoredPdf } from '../../../app/pdf-split.js';
import { resolveLocale, translator } from '../../context.js';
import { parseForm } from '../../forms.js';
import { idParams } from '../../params.js';
import { clientOf } from '../../plugins/access.js';
import { rateLimited } from '../../plugins/rate-limits.js';
import { discardFiles, readFormFields, receiveFiles, type ReceivedFile, type ReceivedFiles } from '../../uploads.js';
import { wantsJson, type ClientCase } from './client-case.js';
import { flashUrl } from './flash.js';
import { depositSchema, splitSchema, type SplitPiece } from './forms.js';

type Target = { t: Messages; client: Account; access: CaseAccess; states: CategoryState[] };
type DepositRequest = FastifyRequest<{ Params: { id: string } }>;

/** Seed 000's message naming every refused file, then what is wrong with each. */
function refusalErrors(t: Messages, received: ReceivedFiles): string[] {
  if (received.refusals.length === 0) return [];
  const names = received.refusals.map((r) => r.name).filter((n) => n !== '');
  return [
    ...(names.length > 0 ? [t.documents.refusedTitle(names)] : []),
    ...received.refusals.map((r) => refusalMessage(t, r)),
  ];
}

type DepositTarget = (request: DepositRequest, reply: FastifyReply) => Promise<Target | undefined>;

/** Before a deposit: the form fields read, the CSRF token checked, the deposit counted (per address and account). */
function depositPreHandlers(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  return [readFormFields, csrf, rateLimited(app, 'upload', (request) => request.client?.id)];
}
type DepositPreHandlers = ReturnType<typeof depositPreHandlers>;

export function depositRoutes(app: FastifyInstance, cases: ClientCase) {
  // Client deposits, per address and account, counted before a byte is read (one count for both routes).
  const depositCsrf = depositPreHandlers(app);
  const depositTarget = depositTargetOf(app, cases);
  fileDepositRoute(app, cases, depositCsrf, depositTarget);
  splitDepositRoute(app, cases, depositCsrf, depositTarget);
}

/**
 * Who may deposit in this case, or the answer already sent: not found, read-only, closed. Both
 * deposit routes (files, split) start here, before a byte is read.
 */
function depositTargetOf(app: FastifyInstance, cases: ClientCase): DepositTarget {
  const { db } = app.deps;
  return async function depositTarget(request, reply) {
    const t = translator(request);
    const access = await cases.accessOf(request, request.params.id);
    if (!access) {
      reply.callNotFound();
      return undefined;
    }
    if (!access.permissions.deposit) {
      await cases.refuse(request, reply, access, [t.contributors.readOnly], 403);
      return undefined;
    }
    if (access.kase.status === 'closed') {
      await cases.refuse(request, reply, access, [t.documents.caseClosed], 409);
      return undefined;
    }
    const { states } = await visibleProgress(db, access);
    return { t, client: clientOf(request), access, states };
  };
}

/** Records the files received into the category. */
async function recordDeposit(
  app: FastifyInstance,
  request: DepositRequest,
  target: Target,
  category: DocumentCategory,
  files: readonly ReceivedFile[],
) {
  return depositDocuments(
    app.deps.db,
    app.deps.workflows,
    { account: target.client, ip: request.ip },
    target.access.kase,
    files.map((f) => ({
      categoryId: category.id,
      fileName: f.fileName,
      contentType: f.contentType,
      sizeBytes: f.sizeBytes,
      sha256: f.sha256,
      storageKey: f.storageKey,
      pageCount: f.pageCount ?? null,
      source: 'upload' as const,
    })),
  );
}

/** The answer to a deposit recorded: JSON for the script, or back to the category on the page. */
async function deposited(
  request: DepositRequest,
  reply: FastifyReply,
  target: Target,
  category: DocumentCategory,
  n: number,
  ids: string[],
) {
  const label = categoryLabel(category, resolveLocale(request));
  if (wantsJson(request))
    return reply.send({ ok: true, message: target.t.documents.uploaded(n, label), documentIds: ids });
  const url = flashUrl(`/dossiers/${target.access.kase.id}`, 'deposited', { n, name: label }, `#cat-${category.code}`);
  return reply.redirect(url, 303);
}

/** Records the pieces cut from the source, named after it and their category. */
async function recordSplit(
  app: FastifyInstance,
  request: DepositRequest,
  target: Target,
  source: ReceivedFile,
  pieces: readonly SplitPiece<DocumentCategory>[],
  cut: Awaited<ReturnType<typeof cutStoredPdf>>,
) {
  const { client, access } = target;
  const base = source.fileName.replace(/\.pdf$/i, '');
  return depositDocuments(
    app.deps.db,
    app.deps.workflows,
    { account: client, ip: request.ip },
    access.kase,
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
}

/** Files into one category. */
function fileDepositRoute(
  app: FastifyInstance,
  cases: ClientCase,
  depositCsrf: DepositPreHandlers,
  depositTarget: DepositTarget,
) {
  const { storage } = app.deps;
  app.post<{ Params: { id: string } }>(
    '/dossiers/:id/documents',
    { config: { access: 'client' }, schema: { hide: true, params: idParams }, preHandler: depositCsrf },
    async (request, reply) => {
      const target = await depositTarget(request, reply);
      if (!target) return reply;
      const { t, access, states } = target;
      const parsed = parseForm(depositSchema, request.body);
      const state = parsed.ok ? states.find((s) => s.category.id === parsed.values.category) : undefined;
      // Checked before a byte is stored: a form without a valid category keeps nothing.
      if (!state) return cases.refuse(request, reply, access, [t.documents.categoryInvalid]);
      if (state.state === 'complete') return cases.refuse(request, reply, access, [t.documents.categoryDone], 409);
      const received = await receiveFiles(app, request, storage);
      // Files of a refused form are removed before the answer leaves: whoever reads the answer
      // finds nothing stored.
      const fail = async (errors: string[], status = 400) => {
        await discardFiles(storage, received.files);
        return cases.refuse(request, reply, access, errors, status);
      };
      let kept = false;
      try {
        if (received.refusals.length > 0)
          return await fail([...refusalErrors(t, received), ...(received.attempted > 1 ? [t.files.chooseAgain] : [])]);
        if (received.files.length === 0) return await fail([t.documents.noFile]);
        try {
          const rows = await recordDeposit(app, request, target, state.category, received.files);
          kept = true;
          const ids = rows.map((r) => r.id);
          return await deposited(request, reply, target, state.category, rows.length, ids);
        } catch (err) {
          request.log.error({ err }, 'could not record a deposit');
          return await fail([t.documents.unavailable], 503);
        }
      } finally {
        if (!kept) await discardFiles(storage, received.files);
      }
    },
  );
}

/** The splitting zone: one PDF cut into one document per category. */
function splitDepositRoute(
  app: FastifyInstance,
  cases: ClientCase,
  depositCsrf: DepositPreHandlers,
  depositTarget: DepositTarget,
) {
  const { storage } = app.deps;
  app.post<{ Params: { id: string } }>(
    '/dossiers/:id/decoupage',
    { config: { access: 'client' }, schema: { hide: true, params: idParams }, preHandler: depositCsrf },
    async (request, reply) => {
      const target = await depositTarget(request, reply);
      if (!target) return reply;
      const { t, access, states } = target;
      const kase = access.kase;
      const open = states.filter((s) => s.state !== 'complete');
      const received = await receiveFiles(app, request, storage);
      const source = received.files[0];
      // The original is cut into the documents and never kept; it is removed before any answer.
      const fail = async (errors: string[], status = 400) => {
        await discardFiles(storage, received.files);
        return cases.refuse(request, reply, access, errors, status);
      };
      try {
        if (received.refusals.length > 0) return await fail(refusalErrors(t, received));
        if (!source || received.files.length > 1 || source.contentType !== 'application/pdf' || !source.pageCount)
          return await fail([t.documents.splitNotPdf]);
        const locale = resolveLocale(request);
        const targets = open.map((s) => ({ category: s.category, label: categoryLabel(s.category, locale) }));
        const parsed = parseForm(splitSchema(t, targets, source.pageCount), request.body);
        if (!parsed.ok) return await fail(parsed.errors);
        const pieces = parsed.values;
        let cut: Awaited<ReturnType<typeof cutStoredPdf>>;
        try {
          cut = await cutStoredPdf(storage, source.storageKey, pieces, source.fileName);
        } catch (err) {
          if (!(err instanceof SplitPieceRefused)) throw err;
          return await fail([refusalMessage(t, err.refusal)]);
        }
        try {
          const rows = await recordSplit(app, request, target, source, pieces, cut);
          await discardFiles(storage, received.files);
          const documentIds = rows.map((r) => r.id);
          if (wantsJson(request))
            return await reply.send({ ok: true, message: t.documents.splitDone(rows.length), documentIds });
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
}
