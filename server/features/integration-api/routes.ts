// The integration API for business software (issue #17): cases upserted by their external number,
// the case's own files, the pieces deposited and their review, the public thread of a
// conversation, and the change feed. Authenticated by API tokens (config.access
// 'apiToken:read' / 'apiToken:write', server/plugins/access.ts); a resource of a space the token
// does not reach is a 404, as one that does not exist. Every write goes through the use case the
// back-office uses. URL layout (docs/api.md):
//   GET  /api/v1/cases                                          cases of the token's spaces
//   PUT  /api/v1/spaces/{space}/cases/{number}                  create or update a case
//   GET  /api/v1/spaces/{space}/cases/{number}                  one case, with its steps
//   GET  /api/v1/spaces/{space}/cases/{number}/pieces           deposited pieces
//   GET  …/pieces/{pieceId}/content                             download a piece
//   POST …/pieces/{pieceId}/validation | …/refusal              review a piece
//   GET  /api/v1/spaces/{space}/cases/{number}/files            the case's own files
//   POST /api/v1/spaces/{space}/cases/{number}/files            add one (streamed body)
//   PUT  …/files/{fileId}  DELETE …/files/{fileId}  GET …/files/{fileId}/content
//   POST /api/v1/spaces/{space}/conversations                   open one with a client (conversations.ts)
//   GET  /api/v1/spaces/{space}/conversations/{id}/messages     the public thread
//   GET  /api/v1/changes                                        the change feed
// The client space's own API (/api/v1/me, /api/v1/conversations…) stays where it is.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { upsertCase, UpsertRefused, type ApiActor } from '../../../app/integration-api/cases.js';
import { addCaseFiles, removeCaseFile } from '../../../app/case-record.js';
import { review } from '../../../app/documents.js';
import {
  caseFileDownloads,
  caseSteps,
  CASE_FILE_SUBJECT,
  DOCUMENT_SUBJECT,
  findCaseFile,
} from '../../../db/case-record.js';
import { findCaseDocument, templateCategories } from '../../../db/documents.js';
import {
  findApiCase,
  findApiConversation,
  findCaseByNumber,
  findSpaceInScope,
  listApiCases,
  listCaseDocumentsPage,
  listCaseFilesPage,
  listMessagesPage,
} from '../../../db/integration-api.js';
import { listChanges } from '../../../db/api-changes.js';
import { changeCursorExpired } from '../../../db/purges.js';
import type { Case } from '../../../db/database.js';
import { MAX_FILE_BYTES, refusalMessage } from '../../../domain/files.js';
import { translator } from '../../context.js';
import { sendAttachment } from '../../downloads.js';
import { sendProblem } from '../../problem.js';
import { receiveStream } from '../../uploads.js';
import { apiTokenOf } from '../../plugins/access.js';
import { decodeChangeCursor, decodeIdCursor, encodeCursor } from './cursors.js';
import { idempotencyOnAbort, idempotencyOnSend, idempotencyPreHandler } from './idempotency.js';
import {
  badRequest,
  conflict,
  integrationErrorHandler,
  notFound,
  refuseNulCharacters,
  unprocessable,
} from './problems.js';
import {
  CaseFilePage,
  CasePage,
  CaseInput,
  CaseListQuery,
  CaseParams,
  ChangePage,
  ConversationParams,
  FileParams,
  FileUploadHeaders,
  IdempotencyHeaders,
  MessagePage,
  PageQuery,
  PiecePage,
  PieceParams,
  RefusalInput,
  ValidationInput,
  integrationSchemas,
  problems,
} from './schemas.js';
import { caseFileJson, caseJson, changeJson, messageJson, pieceJson } from './view-models.js';
import { openConversationRoute } from './conversations.js';

const security = [{ bearerAuth: [] }];
const tags = ['integration'];
const READ = { access: 'apiToken:read' as const };
const WRITE = { access: 'apiToken:write' as const };
const binary = {
  description: 'The file',
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
};

/** The feature: the shared schemas at the root (the OpenAPI document lists them), the routes in
 * their own scope (their error handler, the streamed-body parser, the Idempotency-Key hooks). */
export default async function integrationApiRoutes(app: FastifyInstance) {
  for (const schema of integrationSchemas) app.addSchema(schema);
  await app.register(integrationScope);
}

async function integrationScope(app: FastifyInstance) {
  app.setErrorHandler(integrationErrorHandler);
  // Files are streamed to the inspection and storage, never parsed as a body (no body limit here:
  // the spool stops keeping bytes at the file limit, server/uploads.ts receiveStream).
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  app.addHook('preValidation', refuseNulCharacters);
  app.addHook('preHandler', idempotencyPreHandler);
  app.addHook('onSend', idempotencyOnSend);
  app.addHook('onRequestAbort', idempotencyOnAbort);
  caseRoutes(app);
  pieceRoutes(app);
  fileRoutes(app);
  conversationRoutes(app);
  openConversationRoute(app);
  changeRoutes(app);
}

function actorOf(request: FastifyRequest): ApiActor {
  const token = apiTokenOf(request);
  return { account: token.owner, ip: request.ip, tokenId: token.id };
}

/** The case of the URL, in the token's spaces, or undefined (then a 404). */
async function caseOf(request: FastifyRequest, params: { space: string; number: string }): Promise<Case | undefined> {
  const { db } = request.server.deps;
  const space = await findSpaceInScope(db, apiTokenOf(request).spaces, params.space);
  return space ? findCaseByNumber(db, space.id, params.number) : undefined;
}

function pageOf<T>(rows: T[], limit: number, position: (row: T) => Record<string, string | number>) {
  const last = rows[limit - 1];
  return {
    items: rows.slice(0, limit),
    next_cursor: rows.length > limit && last ? encodeCursor(position(last)) : null,
  };
}

function cursorProblem(request: FastifyRequest, reply: FastifyReply) {
  return badRequest(request, reply, [{ pointer: '/cursor', in: 'query', detail: 'unknown cursor' }]);
}

function isStream(body: unknown): body is Readable {
  return typeof body === 'object' && body !== null && typeof (body as Readable).pipe === 'function';
}

/** A streamed body the route will not read: dropped, so that the connection can answer. */
function dropBody(request: FastifyRequest): void {
  if (isStream(request.body)) request.body.resume();
}

function caseRoutes(app: FastifyInstance) {
  const { db, workflows, config } = app.deps;

  app.get<{ Querystring: CaseListQuery }>(
    '/api/v1/cases',
    {
      config: READ,
      schema: {
        tags,
        security,
        summary: "The cases of the token's spaces, in a stable order, paged by cursor",
        querystring: CaseListQuery,
        response: { 200: CasePage, ...problems() },
      },
    },
    async (request, reply) => {
      const token = apiTokenOf(request);
      const { cursor, limit, space: slug } = request.query;
      const afterId = cursor ? decodeIdCursor(cursor) : undefined;
      if (cursor && !afterId) return cursorProblem(request, reply);
      let spaceId: string | undefined;
      if (slug) {
        const space = await findSpaceInScope(db, token.spaces, slug);
        if (!space) return notFound(request, reply);
        spaceId = space.id;
      }
      const rows = await listApiCases(db, token.spaces, {
        ...(spaceId ? { spaceId } : {}),
        ...(afterId ? { afterId } : {}),
        limit: limit + 1,
      });
      const page = pageOf(rows, limit, (r) => ({ id: r.id }));
      return { items: page.items.map((r) => caseJson(r)), next_cursor: page.next_cursor };
    },
  );

  app.get<{ Params: CaseParams }>(
    '/api/v1/spaces/:space/cases/:number',
    {
      config: READ,
      schema: {
        tags,
        security,
        summary: 'One case by its external number, with its steps',
        params: CaseParams,
        response: { 200: Type.Ref('Case'), ...problems() },
      },
    },
    async (request, reply) => {
      const kase = await caseOf(request, request.params);
      const row = kase ? await findApiCase(db, apiTokenOf(request).spaces, kase.id) : undefined;
      if (!row) return notFound(request, reply);
      return caseJson(row, await caseSteps(db, row));
    },
  );

  app.put<{ Params: CaseParams; Body: CaseInput }>(
    '/api/v1/spaces/:space/cases/:number',
    {
      config: WRITE,
      schema: {
        tags,
        security,
        summary: 'Create or update a case by its external number (idempotent)',
        description:
          'A new case opens its collection and, unless notifyClient is false, sends the client the case-available e-mail (a new client is created). On an existing case, each part given that differs is changed through the back-office use case; the client and the procedure cannot change.',
        params: CaseParams,
        headers: IdempotencyHeaders,
        body: CaseInput,
        response: { 200: Type.Ref('Case'), 201: Type.Ref('Case'), ...problems(403, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const t = translator(request).api;
      const token = apiTokenOf(request);
      const space = await findSpaceInScope(db, token.spaces, request.params.space);
      if (!space) return notFound(request, reply);
      try {
        const { kase, created } = await upsertCase(
          db,
          workflows,
          actorOf(request),
          space,
          request.params.number,
          request.body,
          config.publicUrl,
        );
        const row = await findApiCase(db, token.spaces, kase.id);
        if (!row) return notFound(request, reply);
        return await reply.status(created ? 201 : 200).send(caseJson(row, await caseSteps(db, row)));
      } catch (err) {
        if (!(err instanceof UpsertRefused)) throw err;
        switch (err.reason) {
          case 'unknown_procedure':
            return unprocessable(request, reply, t.unknownProcedure(request.body.procedure));
          case 'unknown_assignee':
            return unprocessable(request, reply, t.unknownAssignee);
          case 'client_changed':
            return conflict(request, reply, t.clientChanged);
          case 'procedure_changed':
            return conflict(request, reply, t.procedureChanged);
          case 'number_taken':
            return conflict(request, reply, t.numberTaken);
        }
      }
    },
  );
}

function pieceRoutes(app: FastifyInstance) {
  const { db, workflows } = app.deps;
  const categoriesOf = async (kase: Case) =>
    new Map((await templateCategories(db, kase.template_id)).map((c) => [c.id, c]));

  app.get<{ Params: CaseParams; Querystring: PageQuery }>(
    '/api/v1/spaces/:space/cases/:number/pieces',
    {
      config: READ,
      schema: {
        tags,
        security,
        summary: 'The pieces deposited in the case, with their state',
        params: CaseParams,
        querystring: PageQuery,
        response: { 200: PiecePage, ...problems() },
      },
    },
    async (request, reply) => {
      const kase = await caseOf(request, request.params);
      if (!kase) return notFound(request, reply);
      const { cursor, limit } = request.query;
      const afterId = cursor ? decodeIdCursor(cursor) : undefined;
      if (cursor && !afterId) return cursorProblem(request, reply);
      const rows = await listCaseDocumentsPage(db, kase.id, { ...(afterId ? { afterId } : {}), limit: limit + 1 });
      const categories = await categoriesOf(kase);
      const page = pageOf(rows, limit, (r) => ({ id: r.id }));
      return { items: page.items.map((d) => pieceJson(d, categories)), next_cursor: page.next_cursor };
    },
  );

  app.get<{ Params: PieceParams }>(
    '/api/v1/spaces/:space/cases/:number/pieces/:pieceId/content',
    {
      config: READ,
      schema: {
        tags,
        security,
        summary: 'Download a deposited piece (streamed; audited as a staff download)',
        params: PieceParams,
        response: { 200: binary, ...problems() },
      },
    },
    async (request, reply) => {
      const kase = await caseOf(request, request.params);
      const doc = kase ? await findCaseDocument(db, kase.id, request.params.pieceId) : undefined;
      if (!doc) return notFound(request, reply);
      return sendTokenDownload(app, request, reply, doc, DOCUMENT_SUBJECT);
    },
  );

  const reviewRoute = (path: 'validation' | 'refusal') =>
    app.post<{ Params: PieceParams; Body: ValidationInput | RefusalInput }>(
      `/api/v1/spaces/:space/cases/:number/pieces/:pieceId/${path}`,
      {
        config: WRITE,
        schema: {
          tags,
          security,
          summary:
            path === 'validation'
              ? 'Validate a pending piece, as staff do (optionally as a given piece of its category)'
              : 'Refuse a pending piece for one of its category’s reasons, as staff do',
          params: PieceParams,
          headers: IdempotencyHeaders,
          body: path === 'validation' ? ValidationInput : RefusalInput,
          response: { 200: Type.Ref('Piece'), ...problems(403, 409, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const t = translator(request).api;
        const kase = await caseOf(request, request.params);
        const doc = kase ? await findCaseDocument(db, kase.id, request.params.pieceId) : undefined;
        if (!kase || !doc) return notFound(request, reply);
        const categories = await categoriesOf(kase);
        const category = categories.get(doc.category_id);
        if (!category) return notFound(request, reply);
        const comment = request.body.comment?.trim() || null;
        let decision: Parameters<typeof review>[5];
        if (path === 'validation') {
          const piece = (request.body as ValidationInput).piece ?? null;
          if (piece !== null && !category.pieces.some((p) => p.code === piece))
            return unprocessable(request, reply, t.unknownPiece);
          decision = { outcome: 'validated', pieceCode: piece, comment };
        } else {
          const reason = (request.body as RefusalInput).reason;
          if (!category.refusal_reasons.some((r) => r.code === reason && !r.archived))
            return unprocessable(request, reply, t.unknownReason);
          decision = { outcome: 'rejected', reason, comment };
        }
        const row = await review(db, workflows, actorOf(request), kase, doc.id, decision);
        if (!row) return conflict(request, reply, t.alreadyReviewed);
        return pieceJson(row, categories);
      },
    );
  reviewRoute('validation');
  reviewRoute('refusal');
}

function fileRoutes(app: FastifyInstance) {
  const { db, storage } = app.deps;

  app.get<{ Params: CaseParams; Querystring: PageQuery }>(
    '/api/v1/spaces/:space/cases/:number/files',
    {
      config: READ,
      schema: {
        tags,
        security,
        summary: "The case's own files (staff files for the client), with each one's downloads",
        params: CaseParams,
        querystring: PageQuery,
        response: { 200: CaseFilePage, ...problems() },
      },
    },
    async (request, reply) => {
      const kase = await caseOf(request, request.params);
      if (!kase) return notFound(request, reply);
      const { cursor, limit } = request.query;
      const afterId = cursor ? decodeIdCursor(cursor) : undefined;
      if (cursor && !afterId) return cursorProblem(request, reply);
      const rows = await listCaseFilesPage(db, kase.id, { ...(afterId ? { afterId } : {}), limit: limit + 1 });
      const page = pageOf(rows, limit, (r) => ({ id: r.id }));
      const downloads = await caseFileDownloads(
        db,
        page.items.map((f) => f.id),
      );
      return { items: page.items.map((f) => caseFileJson(f, downloads.get(f.id))), next_cursor: page.next_cursor };
    },
  );

  /** Streams the body through the inspection into storage; a problem is sent when refused. */
  async function receive(request: FastifyRequest, reply: FastifyReply) {
    const t = translator(request).api;
    const stream = request.body as Readable | undefined;
    // No body, or one Fastify parsed as something else than application/octet-stream.
    if (!isStream(stream)) {
      return {
        problem: sendProblem(reply, 415, 'unsupported-media-type', t.unsupportedMediaType, 'application/octet-stream'),
      };
    }
    const header = request.headers['x-file-name'];
    let name: string;
    try {
      name = decodeURIComponent(typeof header === 'string' ? header : '');
    } catch {
      name = '';
    }
    if (!name) {
      stream.resume();
      return {
        problem: badRequest(request, reply, [{ pointer: '/x-file-name', in: 'headers', detail: t.fileNameRequired }]),
      };
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_FILE_BYTES) {
      stream.resume();
      return {
        problem: sendProblem(reply, 413, 'too-large', t.tooLarge, t.tooLargeDetail(MAX_FILE_BYTES / 1024 / 1024)),
      };
    }
    const outcome = await receiveStream(name, stream, storage);
    if ('refusal' in outcome) {
      const refusal = outcome.refusal;
      if (refusal.reason === 'too_large')
        return {
          problem: sendProblem(reply, 413, 'too-large', t.tooLarge, t.tooLargeDetail(MAX_FILE_BYTES / 1024 / 1024)),
        };
      return {
        problem: sendProblem(reply, 422, 'file-refused', t.fileRefused, refusalMessage(translator(request), refusal)),
      };
    }
    const received = outcome.file;
    return { file: { ...received, pageCount: received.pageCount ?? null } };
  }

  const uploadSchema = (summary: string, params: typeof CaseParams | typeof FileParams, status: 200 | 201) => ({
    tags,
    security,
    summary,
    params,
    headers: FileUploadHeaders,
    consumes: ['application/octet-stream'],
    response: { [status]: Type.Ref('CaseFile'), ...problems(403, 409, 413, 415, 422) },
  });

  app.post<{ Params: CaseParams }>(
    '/api/v1/spaces/:space/cases/:number/files',
    {
      config: WRITE,
      schema: uploadSchema(
        'Add a file to the case: the raw bytes, the name in X-File-Name (URL-encoded)',
        CaseParams,
        201,
      ),
    },
    async (request, reply) => {
      const kase = await caseOf(request, request.params);
      if (!kase) {
        dropBody(request);
        return notFound(request, reply);
      }
      const received = await receive(request, reply);
      if ('problem' in received) return received.problem;
      try {
        const [row] = await addCaseFiles(db, actorOf(request), kase, [received.file]);
        return await reply.status(201).send(caseFileJson(row!, undefined));
      } catch (err) {
        await storage.delete(received.file.storageKey);
        throw err;
      }
    },
  );

  app.put<{ Params: FileParams }>(
    '/api/v1/spaces/:space/cases/:number/files/:fileId',
    {
      config: WRITE,
      schema: uploadSchema(
        'Replace a file of the case: the new file is added, then the old one removed (the answer is the new file)',
        FileParams,
        200,
      ),
    },
    async (request, reply) => {
      const kase = await caseOf(request, request.params);
      const old = kase ? await findCaseFile(db, kase.id, request.params.fileId) : undefined;
      if (!kase || !old) {
        dropBody(request);
        return notFound(request, reply);
      }
      const received = await receive(request, reply);
      if ('problem' in received) return received.problem;
      let rows;
      try {
        rows = await addCaseFiles(db, actorOf(request), kase, [received.file]);
      } catch (err) {
        await storage.delete(received.file.storageKey);
        throw err;
      }
      const removed = await removeCaseFile(db, actorOf(request), kase, old.id);
      if (removed) await storage.delete(removed.storage_key);
      const [row] = rows;
      if (!row) throw new Error('case file not stored');
      return caseFileJson(row, undefined);
    },
  );

  app.delete<{ Params: FileParams }>(
    '/api/v1/spaces/:space/cases/:number/files/:fileId',
    {
      config: WRITE,
      schema: {
        tags,
        security,
        summary: 'Remove a file of the case',
        params: FileParams,
        headers: IdempotencyHeaders,
        response: { 204: Type.Null({ description: 'Removed' }), ...problems(403, 409, 422) },
      },
    },
    async (request, reply) => {
      const kase = await caseOf(request, request.params);
      const removed = kase ? await removeCaseFile(db, actorOf(request), kase, request.params.fileId) : undefined;
      if (!removed) return notFound(request, reply);
      await storage.delete(removed.storage_key);
      return reply.status(204).send();
    },
  );

  app.get<{ Params: FileParams }>(
    '/api/v1/spaces/:space/cases/:number/files/:fileId/content',
    {
      config: READ,
      schema: {
        tags,
        security,
        summary: 'Download a file of the case (streamed; audited as a staff download)',
        params: FileParams,
        response: { 200: binary, ...problems() },
      },
    },
    async (request, reply) => {
      const kase = await caseOf(request, request.params);
      const file = kase ? await findCaseFile(db, kase.id, request.params.fileId) : undefined;
      if (!file) return notFound(request, reply);
      return sendTokenDownload(app, request, reply, file, CASE_FILE_SUBJECT);
    },
  );
}

function conversationRoutes(app: FastifyInstance) {
  const { db } = app.deps;
  app.get<{ Params: ConversationParams; Querystring: PageQuery }>(
    '/api/v1/spaces/:space/conversations/:id/messages',
    {
      config: READ,
      schema: {
        tags,
        security,
        summary: "A conversation's public thread, oldest first (Redmine's private notes never appear)",
        params: ConversationParams,
        querystring: PageQuery,
        response: { 200: MessagePage, ...problems() },
      },
    },
    async (request, reply) => {
      const token = apiTokenOf(request);
      const conversation = await findApiConversation(db, token.spaces, request.params.id);
      if (!conversation || conversation.space_slug !== request.params.space) return notFound(request, reply);
      const { cursor, limit } = request.query;
      const afterId = cursor ? decodeIdCursor(cursor) : undefined;
      if (cursor && !afterId) return cursorProblem(request, reply);
      const rows = await listMessagesPage(db, conversation.id, { ...(afterId ? { afterId } : {}), limit: limit + 1 });
      const page = pageOf(rows, limit, (r) => ({ id: r.id }));
      return { items: page.items.map((m) => messageJson(m, conversation.client_name)), next_cursor: page.next_cursor };
    },
  );
}

function changeRoutes(app: FastifyInstance) {
  const { db } = app.deps;
  const retentionDays = app.deps.config.API_CHANGES_RETENTION_DAYS;
  app.get<{ Querystring: PageQuery }>(
    '/api/v1/changes',
    {
      config: READ,
      schema: {
        tags,
        security,
        summary: 'Cases, pieces and messages changed since the cursor, oldest first',
        description:
          'next_cursor is the position after the last change returned (the cursor given when none is new): keep it and come back with it; a change committed later always comes after it. Changes are kept API_CHANGES_RETENTION_DAYS (90 by default): a cursor from before the purge answers 410 cursor-expired; list the resources again, then page from a fresh cursor.',
        querystring: PageQuery,
        response: { 200: ChangePage, ...problems(410) },
      },
    },
    async (request, reply) => {
      const { cursor, limit } = request.query;
      const after = cursor ? decodeChangeCursor(cursor) : null;
      if (cursor && !after) return cursorProblem(request, reply);
      // Changes older than API_CHANGES_RETENTION_DAYS are purged: a cursor from before the cut
      // would silently skip them, so it is refused and the caller resynchronises.
      if (after && (await changeCursorExpired(db, after))) {
        const t = translator(request).api;
        return sendProblem(reply, 410, 'cursor-expired', t.cursorExpired, t.cursorExpiredDetail(retentionDays));
      }
      const rows = await listChanges(db, apiTokenOf(request).spaces, after ?? null, limit);
      const last = rows.at(-1);
      const next_cursor = last ? encodeCursor({ t: last.txid, p: last.position }) : (cursor ?? null);
      return { items: rows.map(changeJson), next_cursor };
    },
  );
}

/** Streams a piece or a case file to the token's holder, audited as a staff download. */
function sendTokenDownload(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  file: Omit<NonNullable<Parameters<typeof sendAttachment>[3]>, 'message_id' | 'redmine_attachment_id'> & {
    case_id: string;
  },
  subject: string,
) {
  const token = apiTokenOf(request);
  return sendAttachment(
    app,
    request,
    reply,
    { ...file, message_id: '', redmine_attachment_id: null },
    { accountId: token.owner.id, kind: 'staff' },
    {
      subject: {
        type: subject,
        id: file.id,
        details: { caseId: file.case_id, variant: 'original', tokenId: token.id },
      },
    },
  );
}
