// The case record (seed 003): staff edit the summary and conclusions, the payment state and
// amount, add and delete the case's files, tell the client the case is available; clients
// download the files, under the unpaid-cases rule (stamped, blocked, or the original). Who may
// see what is decided here: a client reaches only the files of their own cases, staff the cases of their spaces.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findAccountById } from '../../../../db/accounts.js';
import { setUnpaidExemption } from '../../../../app/client-records.js';
import { changeUnpaidMode } from '../../../../app/settings.js';
import { CASE_FILE_SUBJECT, findCaseFile, getUnpaidMode } from '../../../../db/case-record.js';
import { findClient } from '../../../../db/clients.js';
import type { Account, Case } from '../../../../db/database.js';
import { caseAccessFor } from '../../../../db/contributors.js';
import { caseProgress, findStaffCase, lastCaseComment } from '../../../../db/documents.js';
import { clientOf, staffOf } from '../../../plugins/access.js';
import { refusalMessage } from '../../../../domain/files.js';
import { pageContext, sendPage, translator } from '../../../context.js';
import { sendAttachment } from '../../../downloads.js';
import {
  addCaseFiles,
  changePaymentState,
  editCaseRecord,
  editPaymentAmount,
  loadCaseRecord,
  notifyCaseAvailable,
  removeCaseFile,
} from '../../../../app/case-record.js';
import { discardFiles, readFormFields, receiveFiles } from '../../../uploads.js';
import { parseForm, typedForm } from '../../../forms.js';
import {
  RECORD_FIELDS,
  amountSchema,
  exemptSchema,
  paymentStateSchema,
  recordSchema,
  typedAmountField,
  unpaidModeSchema,
} from './forms.js';
import type { CaseRecordTyped } from './view-models.js';
import { asAttachment, sendClientCaseDownload } from './download.js';
import { staffCasePage } from '../../documents/pages.js';
import { settingsPage } from '../../settings/pages.js';
import { getSettings } from '../../../../db/settings.js';
import { idParams } from '../../../params.js';

const fileParams = {
  type: 'object',
  properties: { id: idParams.properties.id, fileId: idParams.properties.id },
  required: ['id', 'fileId'],
} as const;

export default function caseRecordRoutes(app: FastifyInstance) {
  recordRoutes(app);
  fileRoutes(app);
  unpaidRoutes(app);
}

/** The staff case page's helpers: the case of the URL, the page again with errors, the way back. */
function staffCasePages(app: FastifyInstance) {
  const { db } = app.deps;
  /** The staff case page again, with the errors and what was typed. */
  async function renderStaffCase(
    request: FastifyRequest,
    reply: FastifyReply,
    kase: Case,
    errors: string[],
    typed: CaseRecordTyped,
    status: number,
  ) {
    const ctx = pageContext(request, reply, { area: 'staff' });
    const [{ template, states }, client, comment, record] = await Promise.all([
      caseProgress(db, kase),
      findAccountById(db, kase.client_account_id),
      lastCaseComment(db, kase.id),
      loadCaseRecord(db, kase),
    ]);
    const view = {
      kase,
      clientName: client?.full_name ?? '',
      clientEmail: client?.email ?? '',
      templateName: ctx.locale === 'en' ? template.name_en : template.name,
      states,
      lastComment: comment,
      record: { ...record, typed },
    };
    return sendPage(reply, staffCasePage(ctx, view, errors), status);
  }

  function back(kase: Case, ok: string, extra: Record<string, string> = {}, anchor = ''): string {
    return `/back-office/dossiers/${kase.id}?${new URLSearchParams({ ok, ...extra }).toString()}${anchor}`;
  }

  type CaseRequest = FastifyRequest<{ Params: { id: string } }>;
  /** The case of the URL if the staff member's spaces include it; otherwise 404, as if it did not exist. */
  async function staffCase(
    request: CaseRequest,
    reply: FastifyReply,
  ): Promise<{ kase: Case; staff: Account } | undefined> {
    const kase = await findStaffCase(db, request.staffScope, request.params.id);
    if (!kase) {
      reply.callNotFound();
      return undefined;
    }
    return { kase, staff: staffOf(request) };
  }
  return { renderStaffCase, back, staffCase };
}

// The helpers shared by the staff case routes below.
type StaffCasePages = ReturnType<typeof staffCasePages>;

/** Summary and conclusions, payment, telling the client (staff). */
function recordRoutes(app: FastifyInstance) {
  const pages = staffCasePages(app);
  summaryRoute(app, pages);
  paymentAmountRoute(app, pages);
  paymentStateRoute(app, pages);
  notifyRoute(app, pages);
}

/** The case's files: staff add, delete and download them; clients download them under the unpaid-cases rule. */
function fileRoutes(app: FastifyInstance) {
  const pages = staffCasePages(app);
  addFilesRoute(app, pages);
  deleteFileRoute(app, pages);
  staffFileRoute(app);
  clientFileRoute(app);
}

/** Summary and conclusions. */
function summaryRoute(app: FastifyInstance, { renderStaffCase, back, staffCase }: StaffCasePages) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;
  app.post<{ Params: { id: string } }>(
    '/back-office/dossiers/:id/fiche',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const found = await staffCase(request, reply);
      if (!found) return reply;
      const typed = typedForm(request.body, RECORD_FIELDS);
      const parsed = parseForm(recordSchema(translator(request, 'staff')), request.body);
      if (!parsed.ok) return renderStaffCase(request, reply, found.kase, parsed.errors, typed, 400);
      await editCaseRecord(db, { account: found.staff, ip: request.ip }, found.kase, parsed.values);
      return reply.redirect(back(found.kase, 'record', {}, '#details'), 303);
    },
  );
}

/** The payment amount. */
function paymentAmountRoute(app: FastifyInstance, { renderStaffCase, back, staffCase }: StaffCasePages) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;
  app.post<{ Params: { id: string } }>(
    '/back-office/dossiers/:id/paiement/montant',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const found = await staffCase(request, reply);
      if (!found) return reply;
      const parsed = parseForm(amountSchema(translator(request, 'staff')), request.body);
      if (!parsed.ok)
        return renderStaffCase(
          request,
          reply,
          found.kase,
          parsed.errors,
          { amount: typedAmountField(request.body) },
          400,
        );
      await editPaymentAmount(db, { account: found.staff, ip: request.ip }, found.kase, parsed.values.amount);
      return reply.redirect(back(found.kase, 'amount', {}, '#payment'), 303);
    },
  );
}

/** The payment state, with the client's confirmation e-mail when asked. */
function paymentStateRoute(app: FastifyInstance, { renderStaffCase, back, staffCase }: StaffCasePages) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows, config } = app.deps;
  app.post<{ Params: { id: string } }>(
    '/back-office/dossiers/:id/paiement/etat',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const found = await staffCase(request, reply);
      if (!found) return reply;
      const parsed = parseForm(paymentStateSchema(translator(request, 'staff')), request.body);
      if (!parsed.ok) return renderStaffCase(request, reply, found.kase, parsed.errors, {}, 400);
      const { from, to, confirm } = parsed.values;
      let changed: boolean;
      try {
        changed = await changePaymentState(
          db,
          { account: found.staff, ip: request.ip },
          found.kase,
          from,
          to,
          confirm ? { workflows, publicUrl: config.publicUrl } : undefined,
        );
      } catch (err) {
        // Temporal refused the e-mail's workflow: the transaction is rolled back, the case unchanged.
        request.log.error({ err }, 'could not mark the case paid with its confirmation');
        return renderStaffCase(
          request,
          reply,
          found.kase,
          [translator(request, 'staff').caseRecord.unavailable],
          {},
          503,
        );
      }
      return reply.redirect(back(found.kase, !changed ? 'stale' : confirm ? 'paid-notified' : to, {}, '#payment'), 303);
    },
  );
}

/** Tell the client the case is available. */
function notifyRoute(app: FastifyInstance, { renderStaffCase, back, staffCase }: StaffCasePages) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows, config } = app.deps;
  app.post<{ Params: { id: string } }>(
    '/back-office/dossiers/:id/avertir',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const found = await staffCase(request, reply);
      if (!found) return reply;
      try {
        await notifyCaseAvailable(
          db,
          workflows,
          { account: found.staff, ip: request.ip },
          found.kase,
          config.publicUrl,
        );
      } catch (err) {
        request.log.error({ err }, 'could not send the case-available e-mail');
        return renderStaffCase(
          request,
          reply,
          found.kase,
          [translator(request, 'staff').caseRecord.unavailable],
          {},
          503,
        );
      }
      return reply.redirect(back(found.kase, 'notified', {}, '#steps'), 303);
    },
  );
}

/** Staff add files to the case. */
function addFilesRoute(app: FastifyInstance, { renderStaffCase, back, staffCase }: StaffCasePages) {
  const csrf = app.csrfProtection.bind(app);
  const { db, storage } = app.deps;
  app.post<{ Params: { id: string } }>(
    '/back-office/dossiers/:id/fichiers',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: [readFormFields, csrf] },
    async (request, reply) => {
      const found = await staffCase(request, reply);
      if (!found) return reply;
      const t = translator(request, 'staff');
      const received = await receiveFiles(app, request, storage);
      let kept = false;
      try {
        if (received.refusals.length > 0) {
          const names = received.refusals.map((r) => r.name).filter((n) => n !== '');
          const errors = [
            ...(names.length > 0 ? [t.documents.refusedTitle(names)] : []),
            ...received.refusals.map((r) => refusalMessage(t, r)),
          ];
          return await renderStaffCase(request, reply, found.kase, errors, {}, 400);
        }
        if (received.files.length === 0)
          return await renderStaffCase(request, reply, found.kase, [t.caseRecord.noFileChosen], {}, 400);
        const rows = await addCaseFiles(
          db,
          { account: found.staff, ip: request.ip },
          found.kase,
          received.files.map((f) => ({
            fileName: f.fileName,
            contentType: f.contentType,
            sizeBytes: f.sizeBytes,
            sha256: f.sha256,
            storageKey: f.storageKey,
            pageCount: f.pageCount ?? null,
          })),
        );
        kept = true;
        return await reply.redirect(back(found.kase, 'files', { n: String(rows.length) }, '#files'), 303);
      } finally {
        // A refused form keeps no file; the answer leaves once they are gone.
        if (!kept) await discardFiles(storage, received.files);
      }
    },
  );
}

/** Staff delete a file of the case. */
function deleteFileRoute(app: FastifyInstance, { back, staffCase }: StaffCasePages) {
  const csrf = app.csrfProtection.bind(app);
  const { db, storage } = app.deps;
  app.post<{ Params: { id: string; fileId: string } }>(
    '/back-office/dossiers/:id/fichiers/:fileId/suppression',
    { config: { access: 'staff' }, schema: { hide: true, params: fileParams }, preHandler: csrf },
    async (request, reply) => {
      const found = await staffCase(request, reply);
      if (!found) return reply;
      const removed = await removeCaseFile(
        db,
        { account: found.staff, ip: request.ip },
        found.kase,
        request.params.fileId,
      );
      if (!removed) return reply.callNotFound();
      await storage.delete(removed.storage_key);
      return reply.redirect(back(found.kase, 'deleted', { name: removed.file_name }, '#files'), 303);
    },
  );
}

/** Staff always download the original. */
function staffFileRoute(app: FastifyInstance) {
  const { db } = app.deps;
  app.get<{ Params: { id: string; fileId: string } }>(
    '/back-office/dossiers/:id/fichiers/:fileId',
    { config: { access: 'staff' }, schema: { hide: true, params: fileParams } },
    async (request, reply) => {
      const kase = await findStaffCase(db, request.staffScope, request.params.id);
      const file = kase ? await findCaseFile(db, kase.id, request.params.fileId) : undefined;
      if (!file) return reply.callNotFound();
      return sendAttachment(
        app,
        request,
        reply,
        asAttachment(file),
        { accountId: staffOf(request).id, kind: 'staff' },
        { subject: { type: CASE_FILE_SUBJECT, id: file.id, details: { caseId: file.case_id, variant: 'original' } } },
      );
    },
  );
}

/** Clients download a file of their case, under the unpaid-cases rule. */
function clientFileRoute(app: FastifyInstance) {
  const { db } = app.deps;
  app.get<{ Params: { id: string; fileId: string } }>(
    '/dossiers/:id/fichiers/:fileId',
    { config: { access: 'client' }, schema: { hide: true, params: fileParams } },
    async (request, reply) => {
      const client = clientOf(request);
      // The case's files are the whole case's: the main client, occasional access and contributors
      // allowed to see the whole case (caseAccessFor); anyone else finds nothing.
      const access = await caseAccessFor(db, client.id, request.params.id);
      if (!access?.permissions.seeAll) return reply.callNotFound();
      const kase = access.kase;
      const file = await findCaseFile(db, kase.id, request.params.fileId);
      return sendClientCaseDownload(app, request, reply, kase, file, CASE_FILE_SUBJECT);
    },
  );
}

/** The unpaid-cases setting (administrators) and a client's exemption (staff). */
function unpaidRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;

  // ---- Settings and exemptions ----

  app.post(
    '/back-office/reglages/impayes',
    { config: { access: 'admin' }, schema: { hide: true }, preHandler: csrf },
    async (request, reply) => {
      const parsed = parseForm(unpaidModeSchema(translator(request, 'staff')), request.body);
      if (!parsed.ok) {
        const settings = await getSettings(db);
        const form = {
          primaryColor: settings.primaryColor,
          rowsPerPage: String(settings.rowsPerPage),
          locales: settings.locales,
          hasLogo: settings.logo !== null,
          unpaidMode: await getUnpaidMode(db),
        };
        return sendPage(reply, settingsPage(pageContext(request, reply, { area: 'staff' }), form, parsed.errors), 400);
      }
      const mode = parsed.values.unpaidMode;
      await changeUnpaidMode(db, { id: staffOf(request).id, ip: request.ip }, mode);
      return reply.redirect('/back-office/reglages?impayes=1#unpaid', 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/clients/:id/impayes',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const client = await findClient(db, request.params.id, request.staffScope);
      if (!client) return reply.callNotFound();
      const parsed = parseForm(exemptSchema, request.body);
      const exempt = parsed.ok && parsed.values.exempt;
      await setUnpaidExemption(db, { id: staffOf(request).id, ip: request.ip }, client.id, exempt);
      return reply.redirect(`/back-office/clients/${client.id}?impayes=1#unpaid-exempt`, 303);
    },
  );
}
