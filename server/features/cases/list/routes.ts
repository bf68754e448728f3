// The back-office case list, its Excel exports, and the case's assignment and notepad. Staff only
// (config.access), within their spaces (request.staffScope); notepad entries and assignments are never on a client route.
import { caseDownloadStates } from '../../../../db/case-record.js';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../../../db/audit.js';
import {
  CASE_STATUSES,
  PAYMENT_STATES,
  UNASSIGNED,
  addCaseNote,
  assignCase,
  listCases,
  searchTerms,
  setRowsPerPage,
  staffMembers,
  streamCases,
  type CaseListFilter,
  type CaseListRow,
} from '../../../../db/case-list.js';
import type { CaseStatus, PaymentState } from '../../../../db/database.js';
import { findStaffCase } from '../../../../db/documents.js';
import { spacesInScope } from '../../../../db/spaces.js';
import type { StaffScope } from '../../../../db/staff-access.js';
import { staffOf } from '../../../plugins/access.js';
import {
  streamContacts,
  streamMessages,
  type ContactExportRow,
  type MessageExportRow,
} from '../../../../db/exports.js';
import { DEFAULT_SETTINGS, ROWS_PER_PAGE_MAX, ROWS_PER_PAGE_MIN } from '../../../../db/settings.js';
import { messages, type Messages } from '../../../../i18n/index.js';
import { pageContext, sendPage, translator } from '../../../context.js';
import { field } from '../../../../domain/validation.js';
import { errorPage } from '../../../views/auth-pages.js';
import { NOTE_MAX, caseListParams, staffCaseListPage, type CaseListQuery } from './pages.js';
import { AMOUNT_FORMAT, DATE_FORMAT, xlsxStream, type SheetColumn } from './xlsx.js';
import { idParams } from '../../../params.js';

const hidden = { schema: { hide: true } };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ListQuerystring {
  q?: string;
  espace?: string;
  etat?: string;
  paiement?: string;
  attribue?: string;
  lignes?: string;
  page?: string;
}

function one(value: unknown): string {
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '';
}

/** The list's filters from the query string; values that are not ours are ignored (all cases). */
function parseFilters(query: ListQuerystring): CaseListQuery {
  const space = one(query.espace);
  const status = one(query.etat);
  const payment = one(query.paiement);
  const assignee = one(query.attribue);
  return {
    q: one(query.q).slice(0, 500),
    spaceId: UUID.test(space) ? space : undefined,
    status: CASE_STATUSES.includes(status as CaseStatus) ? (status as CaseStatus) : undefined,
    payment: PAYMENT_STATES.includes(payment as PaymentState) ? (payment as PaymentState) : undefined,
    assignee: assignee === UNASSIGNED || UUID.test(assignee) ? assignee : undefined,
  };
}

function toFilter(scope: StaffScope, query: CaseListQuery): CaseListFilter {
  return {
    scope,
    terms: searchTerms(query.q),
    spaceId: query.spaceId,
    status: query.status,
    payment: query.payment,
    assignee: query.assignee,
  };
}

export type RowsChoice = { ok: true; rows: number } | { ok: false; rows: number; asked: string };

/** Rows per page asked for: 10 to 350; outside, the nearest bound is shown and nothing is kept. */
export function rowsChoice(asked: string, current: number): RowsChoice {
  const text = asked.trim();
  if (!/^\d{1,9}$/.test(text)) return { ok: false, rows: current, asked: text.slice(0, 20) };
  const n = Number.parseInt(text, 10);
  if (n < ROWS_PER_PAGE_MIN) return { ok: false, rows: ROWS_PER_PAGE_MIN, asked: text };
  if (n > ROWS_PER_PAGE_MAX) return { ok: false, rows: ROWS_PER_PAGE_MAX, asked: text };
  return { ok: true, rows: n };
}

function statusText(t: Messages, status: CaseStatus): string {
  return t.documents.caseStatus[status];
}

function caseColumns(t: Messages): Array<SheetColumn<CaseListRow>> {
  const c = t.caseList;
  return [
    { header: c.colNumber, width: 22, value: (r) => r.number },
    { header: c.colTitle, width: 40, value: (r) => r.title },
    { header: c.colClient, width: 26, value: (r) => r.clientName },
    { header: c.colEmail, width: 30, value: (r) => r.clientEmail },
    { header: c.colSpace, width: 22, value: (r) => r.spaceName },
    { header: c.colState, width: 18, value: (r) => statusText(t, r.status) },
    { header: c.colPayment, width: 12, value: (r) => c.paymentState[r.paymentState] },
    {
      header: c.colAmount,
      width: 14,
      numFmt: AMOUNT_FORMAT,
      value: (r) => (r.paymentAmountCents === null ? null : r.paymentAmountCents / 100),
    },
    { header: c.colAssignee, width: 24, value: (r) => r.assigneeName ?? '' },
    { header: c.colCreated, width: 18, numFmt: DATE_FORMAT, value: (r) => r.createdAt },
  ];
}

function contactColumns(t: Messages): Array<SheetColumn<ContactExportRow>> {
  const c = t.caseList;
  return [
    { header: c.colClient, width: 26, value: (r) => r.clientName },
    { header: c.colEmail, width: 30, value: (r) => r.clientEmail },
    { header: c.colSpaces, width: 30, value: (r) => r.spaces },
    { header: c.colContactKind, width: 18, value: (r) => (r.kind ? c.contactKind[r.kind] : '') },
    { header: c.colContactValue, width: 40, value: (r) => r.value ?? '' },
    { header: c.colContactState, width: 20, value: (r) => (r.state ? c.contactState[r.state] : '') },
    { header: c.colObservation, width: 40, value: (r) => r.observation },
  ];
}

function messageColumns(t: Messages): Array<SheetColumn<MessageExportRow>> {
  const c = t.caseList;
  return [
    { header: c.colDate, width: 18, numFmt: DATE_FORMAT, value: (r) => r.createdAt },
    { header: c.colSpace, width: 22, value: (r) => r.spaceName },
    { header: c.colConversation, width: 36, value: (r) => r.subject },
    { header: c.colClient, width: 26, value: (r) => r.clientName },
    { header: c.colEmail, width: 30, value: (r) => r.clientEmail },
    { header: c.colAuthorKind, width: 14, value: (r) => c.authorKind[r.authorKind] },
    { header: c.colAuthor, width: 24, value: (r) => r.authorName },
    { header: c.colBody, width: 80, value: (r) => r.body },
    {
      header: c.colMessageState,
      width: 14,
      value: (r) => (r.authorKind === 'client' ? c.messageState[r.staffState] : ''),
    },
  ];
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export default function caseListRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;

  app.get<{ Querystring: ListQuerystring }>(
    '/back-office/dossiers',
    { ...hidden, config: { access: 'staff' } },
    async (request, reply) => {
      const staff = staffOf(request);
      const query = parseFilters(request.query);
      const remembered = staff.rows_per_page ?? request.settings?.rowsPerPage ?? DEFAULT_SETTINGS.rowsPerPage;
      let rowsPerPage = remembered;
      let rowsAsked: string | undefined;
      const asked = one(request.query.lignes);
      if (asked !== '') {
        const choice = rowsChoice(asked, remembered);
        rowsPerPage = choice.rows;
        if (!choice.ok) rowsAsked = choice.asked;
        else if (choice.rows !== staff.rows_per_page) await setRowsPerPage(db, staff.id, choice.rows);
      }
      const requestedPage = Math.max(1, Number.parseInt(one(request.query.page), 10) || 1);
      const filter = toFilter(request.staffScope, query);
      let { items, total } = await listCases(db, filter, {
        limit: rowsPerPage,
        offset: (requestedPage - 1) * rowsPerPage,
      });
      const pages = Math.max(1, Math.ceil(total / rowsPerPage));
      const page = Math.min(requestedPage, pages);
      // A page past the end (the list shrank meanwhile): show the last one.
      if (page !== requestedPage)
        ({ items, total } = await listCases(db, filter, { limit: rowsPerPage, offset: (page - 1) * rowsPerPage }));
      // A number typed in full, or a unique name: straight to the case.
      const searching = query.q.trim() !== '';
      if (searching && total === 1 && items[0] && rowsAsked === undefined)
        return reply.redirect(`/back-office/dossiers/${items[0].id}`);
      const [spaces, members] = await Promise.all([spacesInScope(db, request.staffScope), staffMembers(db)]);
      const ctx = pageContext(request, reply, { area: 'staff' });
      const downloads = await caseDownloadStates(
        db,
        items.map((c) => c.id),
      );
      const view = {
        query,
        spaces,
        staff: members,
        items,
        total,
        page,
        pages,
        rowsPerPage,
        rowsMin: ROWS_PER_PAGE_MIN,
        rowsMax: ROWS_PER_PAGE_MAX,
        rowsAsked,
        downloads,
      };
      return sendPage(
        reply,
        staffCaseListPage(ctx, view),
        rowsAsked !== undefined ? 400 : searching && total === 0 ? 404 : 200,
      );
    },
  );

  function sendWorkbook(reply: FastifyReply, name: string, body: NodeJS.ReadableStream) {
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${name}-${today()}.xlsx"`)
      .header('cache-control', 'no-store')
      .send(body);
  }

  async function auditExport(request: FastifyRequest, what: string, details: Record<string, unknown> = {}) {
    await audit(db, {
      actorAccountId: staffOf(request).id,
      actorKind: 'staff',
      action: `export.${what}`,
      subjectType: 'export',
      ip: request.ip,
      details,
    });
  }

  const exportEvents = (request: FastifyRequest, what: string) => ({
    done: (rows: number) => request.log.info({ export: what, rows }, 'export written'),
    failed: (err: unknown) => request.log.error({ err, export: what }, 'export failed'),
  });

  app.get<{ Querystring: ListQuerystring }>(
    '/back-office/exports/dossiers.xlsx',
    { ...hidden, config: { access: 'staff' } },
    async (request, reply) => {
      const t = translator(request, 'staff');
      const query = parseFilters(request.query);
      await auditExport(request, 'cases', { filters: Object.fromEntries(caseListParams(query)) });
      return sendWorkbook(
        reply,
        t.caseList.sheetCases.toLowerCase(),
        xlsxStream(
          t.caseList.sheetCases,
          caseColumns(t),
          streamCases(db, toFilter(request.staffScope, query)),
          exportEvents(request, 'cases'),
        ),
      );
    },
  );

  app.get('/back-office/exports/contacts.xlsx', { ...hidden, config: { access: 'staff' } }, async (request, reply) => {
    const t = translator(request, 'staff');
    await auditExport(request, 'contacts');
    return sendWorkbook(
      reply,
      t.caseList.sheetContacts.toLowerCase(),
      xlsxStream(
        t.caseList.sheetContacts,
        contactColumns(t),
        streamContacts(db, request.staffScope),
        exportEvents(request, 'contacts'),
      ),
    );
  });

  app.get('/back-office/exports/messages.xlsx', { ...hidden, config: { access: 'staff' } }, async (request, reply) => {
    const t = translator(request, 'staff');
    await auditExport(request, 'messages');
    return sendWorkbook(
      reply,
      t.caseList.sheetMessages.toLowerCase(),
      xlsxStream(
        t.caseList.sheetMessages,
        messageColumns(t),
        streamMessages(db, request.staffScope),
        exportEvents(request, 'messages'),
      ),
    );
  });

  // ---- The case page: assignment and notepad ----

  /** The agency reads French: what is written on the Redmine issue. */
  const agency = messages('fr').caseList;

  app.post<{ Params: { id: string } }>(
    '/back-office/dossiers/:id/attribution',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const kase = await findStaffCase(db, request.staffScope, request.params.id);
      if (!kase) return reply.callNotFound();
      const page = `/back-office/dossiers/${kase.id}`;
      const wanted = field(request.body, 'assignee').trim();
      const members = await staffMembers(db);
      const assignee = wanted === '' ? null : members.find((m) => m.id === wanted);
      if (assignee === undefined) return reply.redirect(`${page}?erreur=collaborateur#attribution`, 303);
      const actor = staffOf(request);
      try {
        await db.transaction().execute(async (tx) => {
          const result = await assignCase(tx, kase.id, assignee?.id ?? null);
          if (!result || result.previous === (assignee?.id ?? null)) return;
          await audit(tx, {
            actorAccountId: actor.id,
            actorKind: 'staff',
            action: 'case.assign',
            subjectType: 'case',
            subjectId: kase.id,
            ip: request.ip,
            details: { from: result.previous, to: assignee?.id ?? null },
          });
          // Started last, inside the transaction: if Temporal cannot be reached nothing is kept.
          if (kase.redmine_issue_id !== null) {
            const text = assignee
              ? agency.redmineAssigned(assignee.fullName, actor.full_name)
              : agency.redmineUnassigned(actor.full_name);
            await workflows.caseNote(kase.id, `assign-${randomUUID()}`, text);
          }
        });
      } catch (err) {
        request.log.error({ err }, 'could not assign a case');
        const t = translator(request, 'staff');
        return sendPage(reply, staffCaseListUnavailable(request, reply, t), 503);
      }
      return reply.redirect(`${page}?fait=attribue#attribution`, 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/dossiers/:id/bloc-notes',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const kase = await findStaffCase(db, request.staffScope, request.params.id);
      if (!kase) return reply.callNotFound();
      const page = `/back-office/dossiers/${kase.id}`;
      const body = field(request.body, 'note').replace(/\r\n/g, '\n').trim();
      if (body === '') return reply.redirect(`${page}?erreur=note-vide#bloc-notes`, 303);
      if (body.length > NOTE_MAX) return reply.redirect(`${page}?erreur=note-longue#bloc-notes`, 303);
      const actor = staffOf(request);
      try {
        await db.transaction().execute(async (tx) => {
          const note = await addCaseNote(tx, kase.id, actor.id, body);
          await audit(tx, {
            actorAccountId: actor.id,
            actorKind: 'staff',
            action: 'case.note',
            subjectType: 'case',
            subjectId: kase.id,
            ip: request.ip,
            details: { noteId: note.id },
          });
          if (kase.redmine_issue_id !== null)
            await workflows.caseNote(kase.id, `notepad-${note.id}`, agency.redmineNote(actor.full_name, body));
        });
      } catch (err) {
        request.log.error({ err }, 'could not add a notepad entry');
        const t = translator(request, 'staff');
        return sendPage(reply, staffCaseListUnavailable(request, reply, t), 503);
      }
      return reply.redirect(`${page}?fait=note#bloc-notes`, 303);
    },
  );
}

function staffCaseListUnavailable(request: FastifyRequest, reply: FastifyReply, t: Messages) {
  return errorPage(pageContext(request, reply, { area: 'staff' }), '503', t.errors.unavailable);
}
