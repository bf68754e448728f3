// The client's own data export (GDPR articles 15 and 20), in their space:
// - GET /mes-donnees: the page, with the latest export's state;
// - POST /mes-donnees: asks for an export (CSRF; once per `selfExport` window, per account, the
//   refusal saying when they may ask again); the archive is built by a workflow, never here;
// - GET /mes-donnees/exports/:id: the link of the e-mail. Only the client whose export it is gets
//   the archive (streamed, ranges honoured, audited by server/downloads.ts); anyone else signed in
//   as a client, and the owner once it expired, gets the same 404 page saying links expire and how
//   to ask again; no session: the sign-in; a staff session or a head of service's view: nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { askSelfExport, downloadableSelfExport } from '../../../app/data-rights/self-export.js';
import { latestSelfExport } from '../../../db/self-exports.js';
import { SELF_EXPORT_DAYS, SELF_EXPORT_PAGE, selfExportFileName } from '../../../domain/self-export.js';
import { formatDateTime } from '../../../i18n/index.js';
import { pageContext, resolveLocale, sendPage, translator } from '../../context.js';
import { sendAttachment } from '../../downloads.js';
import { idParams } from '../../params.js';
import { clientOf } from '../../plugins/access.js';
import { expiredPage, selfExportPage } from './pages.js';
import { selfExportView } from './view-models.js';

export default function selfExportRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;
  const everySeconds = app.rateLimits.rules.selfExport.seconds;

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    options: { status?: number; refusal?: string; asked?: boolean } = {},
  ) {
    const client = clientOf(request);
    const t = translator(request);
    const flash = options.refusal
      ? { kind: 'error' as const, text: options.refusal }
      : options.asked
        ? { kind: 'info' as const, text: t.selfExport.asked }
        : undefined;
    const ctx = pageContext(request, reply, { flash });
    const view = selfExportView(await latestSelfExport(db, client.id), ctx.locale, everySeconds);
    return sendPage(reply, selfExportPage(ctx, view), options.status ?? 200);
  }

  app.get<{ Querystring: { fait?: string } }>(
    SELF_EXPORT_PAGE,
    { config: { access: 'client' }, schema: { hide: true } },
    async (request, reply) => render(request, reply, { asked: request.query.fait === 'demande' }),
  );

  app.post(
    SELF_EXPORT_PAGE,
    { config: { access: 'client' }, schema: { hide: true }, preHandler: csrf },
    async (request, reply) => {
      const client = clientOf(request);
      const t = translator(request);
      const result = await askSelfExport({ db, workflows, rateLimits: app.rateLimits }, client.id, request.ip);
      if (result.outcome === 'asked') return reply.redirect(`${SELF_EXPORT_PAGE}?fait=demande`, 303);
      if (result.outcome === 'closed') return render(request, reply, { status: 403, refusal: t.selfExport.closed });
      const when = formatDateTime(new Date(Date.now() + result.retryAfterSeconds * 1000), resolveLocale(request));
      reply.header('retry-after', String(result.retryAfterSeconds));
      return render(request, reply, { status: 429, refusal: t.selfExport.tooSoon(when) });
    },
  );

  app.get<{ Params: { id: string } }>(
    `${SELF_EXPORT_PAGE}/exports/:id`,
    { config: { access: 'client' }, schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const client = clientOf(request);
      const row = await downloadableSelfExport(db, client.id, request.params.id);
      if (!row) return sendPage(reply, expiredPage(pageContext(request, reply), SELF_EXPORT_DAYS), 404);
      return sendAttachment(
        app,
        request,
        reply,
        {
          id: row.id,
          message_id: row.id,
          file_name: selfExportFileName(row.ready_at),
          content_type: 'application/zip',
          size_bytes: row.size_bytes,
          sha256: row.sha256 ?? '',
          storage_key: row.storage_key,
          created_at: row.ready_at,
          redmine_attachment_id: null,
        },
        { accountId: client.id, kind: 'client' },
        { subject: { type: 'self-export', id: row.id } },
      );
    },
  );
}
