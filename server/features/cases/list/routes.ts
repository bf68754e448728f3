// The back-office case list, its Excel exports, and the case's assignment and notepad. Staff only
// (config.access), within their spaces (request.staffScope); notepad entries and assignments are never on a client route.
import { caseDownloadStates } from '../../../../db/case-record.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { addNotepadEntry, assignStaffCase, type ListedCase, type NamedStaffActor } from '../../../../app/case-list.js';
import { audit } from '../../../../db/audit.js';
import {
  listCases,
  searchTerms,
  setRowsPerPage,
  staffMembers,
  streamCases,
  type CaseListFilter,
} from '../../../../db/case-list.js';
import { findStaffCase } from '../../../../db/documents.js';
import { spacesInScope } from '../../../../db/spaces.js';
import type { StaffScope } from '../../../../db/staff-access.js';
import { staffOf } from '../../../plugins/access.js';
import { streamContacts, streamMessages } from '../../../../db/exports.js';
import { DEFAULT_SETTINGS, ROWS_PER_PAGE_MAX, ROWS_PER_PAGE_MIN } from '../../../../db/settings.js';
import type { Messages } from '../../../../i18n/index.js';
import { pageContext, sendPage, translator } from '../../../context.js';
import { parseForm } from '../../../forms.js';
import { assignSchema, noteSchema, one, parseFilters, rowsChoice } from './forms.js';
import { errorPage } from '../../../views/layout.js';
import { caseListParams, staffCaseListPage } from './pages.js';
import { caseListItem, collaborator, spaceChoice, type CaseListQuery } from './view-models.js';
import { xlsxStream } from './xlsx.js';
import { caseColumns, contactColumns, messageColumns } from './exports.js';
import { idParams } from '../../../params.js';

const hidden = { schema: { hide: true } };

interface ListQuerystring {
  q?: string;
  espace?: string;
  etat?: string;
  paiement?: string;
  attribue?: string;
  lignes?: string;
  page?: string;
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

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export default function caseListRoutes(app: FastifyInstance) {
  listRoutes(app);
  exportRoutes(app);
  caseWorkRoutes(app);
}

/** The case list: search, filters, rows per page, pages. */
function listRoutes(app: FastifyInstance) {
  const { db } = app.deps;

  app.get<{ Querystring: ListQuerystring }>(
    '/back-office/dossiers',
    { ...hidden, config: { access: 'staff' } },
    async (request, reply) => {
      const staff = staffOf(request);
      const query = parseFilters(request.query);
      const remembered = staff.rows_per_page ?? request.settings?.rowsPerPage ?? DEFAULT_SETTINGS.rowsPerPage;
      let rowsPerPage = remembered;
      let rowsAsked: string | undefined;
      const asked = one.parse(request.query.lignes);
      if (asked !== '') {
        const choice = rowsChoice(asked, remembered);
        rowsPerPage = choice.rows;
        if (!choice.ok) rowsAsked = choice.asked;
        else if (choice.rows !== staff.rows_per_page) await setRowsPerPage(db, staff.id, choice.rows);
      }
      const requestedPage = Math.max(1, Number.parseInt(one.parse(request.query.page), 10) || 1);
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
        spaces: spaces.map(spaceChoice),
        staff: members.map(collaborator),
        items: items.map(caseListItem),
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
}

/** The Excel exports: cases (with the list's filters), contacts, messages; each audited. */
function exportRoutes(app: FastifyInstance) {
  const { db } = app.deps;

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
}

/** The case page's assignment and notepad. */
function caseWorkRoutes(app: FastifyInstance) {
  assignRoute(app);
  notepadRoute(app);
}

/** The staff member making the change, named in the Redmine note. */
function actorOf(request: FastifyRequest): NamedStaffActor {
  const staff = staffOf(request);
  return { id: staff.id, ip: request.ip, fullName: staff.full_name };
}

const listedCase = (kase: { id: string; redmine_issue_id: number | null }): ListedCase => ({
  id: kase.id,
  redmineIssueId: kase.redmine_issue_id,
});

/** Staff assign the case to a colleague (or to no one); the Redmine issue is told. */
function assignRoute(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;

  app.post<{ Params: { id: string } }>(
    '/back-office/dossiers/:id/attribution',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const kase = await findStaffCase(db, request.staffScope, request.params.id);
      if (!kase) return reply.callNotFound();
      const page = `/back-office/dossiers/${kase.id}`;
      const parsed = parseForm(assignSchema, request.body);
      const wanted = parsed.ok ? parsed.values.assignee : '';
      const members = await staffMembers(db);
      const assignee = wanted === '' ? null : members.find((m) => m.id === wanted);
      if (assignee === undefined) return reply.redirect(`${page}?erreur=collaborateur#attribution`, 303);
      try {
        await assignStaffCase(db, workflows, actorOf(request), listedCase(kase), assignee);
      } catch (err) {
        request.log.error({ err }, 'could not assign a case');
        const t = translator(request, 'staff');
        return sendPage(reply, staffCaseListUnavailable(request, reply, t), 503);
      }
      return reply.redirect(`${page}?fait=attribue#attribution`, 303);
    },
  );
}

/** Staff write on the case's notepad; the Redmine issue gets a private note. */
function notepadRoute(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;

  app.post<{ Params: { id: string } }>(
    '/back-office/dossiers/:id/bloc-notes',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const kase = await findStaffCase(db, request.staffScope, request.params.id);
      if (!kase) return reply.callNotFound();
      const page = `/back-office/dossiers/${kase.id}`;
      const parsed = parseForm(noteSchema, request.body);
      if (!parsed.ok) return reply.redirect(`${page}?erreur=${parsed.errors[0]}#bloc-notes`, 303);
      const body = parsed.values.note;
      try {
        await addNotepadEntry(db, workflows, actorOf(request), listedCase(kase), body);
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
