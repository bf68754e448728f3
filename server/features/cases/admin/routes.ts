// Back-office: staff open a case (the same path as every case: openCase, which starts the
// collection workflow), and administrators edit the procedure templates.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findAccountByEmail, normalizeEmail } from '../../../../db/accounts.js';
import { editProcedure } from '../../../../app/procedures.js';
import type { DocumentTemplate } from '../../../../db/database.js';
import { templateCategories } from '../../../../db/documents.js';
import {
  caseNumberTaken,
  documentCountByCategory,
  findTemplate,
  listTemplates,
} from '../../../../db/documents-admin.js';
import { templateFacts } from '../../../../domain/pieces.js';
import { pageContext, sendPage, translator } from '../../../context.js';
import { openCaseForClient } from '../../../../app/documents.js';
import { isEmail } from '../../../../domain/validation.js';
import { parseForm } from '../../../forms.js';
import {
  CASE_NUMBER,
  newCaseSchema,
  newCaseTyped,
  spaceIdLooksValid,
  type NewCaseLookups,
  type TemplateWithFacts,
} from './forms.js';
import { newCasePage, procedureEditorPage, procedureListPage } from './pages.js';
import {
  emptyNewCaseForm,
  procedureFormOf,
  procedureHeader,
  procedureItem,
  spaceChoice,
  templateChoice,
  type NewCaseForm,
  type ProcedureForm,
} from './view-models.js';
import { rolePermissionsForm } from '../../contributors/pages.js';
import { applyMove, checkProcedureEdit, problemMessages, readProcedureForm } from './procedure-edit.js';
import { idParams } from '../../../params.js';
import { spacesInScope } from '../../../../db/spaces.js';
import { staffOf } from '../../../plugins/access.js';
import type { Db } from '../../../../db/connect.js';

const hidden = { schema: { hide: true } };

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

export default function caseAdminRoutes(app: FastifyInstance) {
  openCaseRoutes(app);
  procedureRoutes(app);
}

/** Staff open a case. */
function openCaseRoutes(app: FastifyInstance) {
  newCaseRoute(app);
  openCaseRoute(app);
}

/** The procedure templates, each with the facts its categories ask about. */
async function templatesWithFacts(db: Db): Promise<TemplateWithFacts[]> {
  const templates = await listTemplates(db);
  return Promise.all(
    templates.map(async (tpl) => ({ ...tpl, facts: templateFacts(await templateCategories(db, tpl.id)) })),
  );
}

/** The new-case page, empty or again with what was typed and the errors. */
async function renderNewCase(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  form: NewCaseForm,
  errors: string[],
  status = 200,
) {
  const [spaces, templates] = await Promise.all([spacesInScope(db, request.staffScope), templatesWithFacts(db)]);
  return sendPage(
    reply,
    newCasePage(pageContext(request, reply, { area: 'staff' }), {
      form,
      spaces: spaces.map(spaceChoice),
      templates: templates.map(templateChoice),
      errors,
    }),
    status,
  );
}

/** What the new-case rules need from the database (see newCaseSchema). */
async function newCaseLookups(
  db: Db,
  request: FastifyRequest,
  form: NewCaseForm,
  templates: TemplateWithFacts[],
): Promise<NewCaseLookups> {
  const [numberTaken, existing, spaces] = await Promise.all([
    CASE_NUMBER.test(form.number) ? caseNumberTaken(db, form.number) : false,
    isEmail(form.clientEmail) ? findAccountByEmail(db, 'client', form.clientEmail) : undefined,
    spaceIdLooksValid(form.spaceId) ? spacesInScope(db, request.staffScope) : [],
  ]);
  return { numberTaken, existingClientId: existing?.id, spaces, templates };
}

/** The empty new-case page. */
function newCaseRoute(app: FastifyInstance) {
  const { db } = app.deps;
  app.get('/back-office/dossiers/nouveau', { ...hidden, config: { access: 'staff' } }, async (request, reply) => {
    return renderNewCase(db, request, reply, emptyNewCaseForm(), []);
  });
}

/** Open the case: checked against the rules and the database, then openCase (which starts the collection). */
function openCaseRoute(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;
  app.post(
    '/back-office/dossiers/nouveau',
    { config: { access: 'staff' }, ...hidden, preHandler: csrf },
    async (request, reply) => {
      const staff = staffOf(request);
      const t = translator(request, 'staff');
      const templates = await templatesWithFacts(db);
      const factNames = [...new Set(templates.flatMap((tpl) => tpl.facts.map((f) => f.name)))];
      const form = newCaseTyped(request.body, factNames);
      const found = await newCaseLookups(db, request, form, templates);
      const parsed = parseForm(newCaseSchema(t, found, normalizeEmail), request.body);
      if (!parsed.ok) return renderNewCase(db, request, reply, form, parsed.errors, 400);
      const { space, template, client, facts } = parsed.values;
      try {
        const { kase } = await openCaseForClient(
          db,
          workflows,
          { account: staff, ip: request.ip },
          {
            spaceId: space.id,
            templateId: template.id,
            number: form.number,
            title: form.title,
            facts,
            client,
          },
          parsed.values.notifyClient ? { notifyClient: { publicUrl: app.deps.config.publicUrl } } : {},
        );
        return await reply.redirect(
          `/back-office/dossiers/${kase.id}?ok=opened&number=${encodeURIComponent(kase.number)}`,
          303,
        );
      } catch (err) {
        // Two staff typing the same number (or e-mail) at once: the database decides, nothing kept.
        if (isUniqueViolation(err)) {
          const taken = await caseNumberTaken(db, form.number);
          return renderNewCase(
            db,
            request,
            reply,
            form,
            [taken ? t.caseAdmin.numberTaken(form.number) : t.caseAdmin.unavailable],
            409,
          );
        }
        request.log.error({ err }, 'could not open a case');
        return renderNewCase(db, request, reply, form, [t.caseAdmin.unavailable], 503);
      }
    },
  );
}

/** Administrators edit the procedure templates. */
function procedureRoutes(app: FastifyInstance) {
  procedureListRoute(app);
  procedureEditorRoute(app);
  procedureSaveRoute(app);
}

/** The list of procedure templates. */
function procedureListRoute(app: FastifyInstance) {
  const { db } = app.deps;
  app.get('/back-office/procedures', { ...hidden, config: { access: 'admin' } }, async (request, reply) => {
    const templates = await listTemplates(db);
    const withCounts = await Promise.all(
      templates.map(async (tpl) => procedureItem(tpl, (await templateCategories(db, tpl.id)).length)),
    );
    return sendPage(reply, procedureListPage(pageContext(request, reply, { area: 'staff' }), withCounts));
  });
}

/** A procedure's editor: the stored procedure, or again what was typed with the errors. */
async function renderEditor(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  template: DocumentTemplate,
  form: ProcedureForm | undefined,
  errors: string[],
  status = 200,
  flash?: string,
) {
  const shown =
    form ??
    procedureFormOf(
      await templateCategories(db, template.id),
      template,
      await documentCountByCategory(db, template.id),
    );
  const ctx = pageContext(request, reply, {
    area: 'staff',
    flash: flash ? { kind: 'info', text: flash } : undefined,
  });
  return sendPage(
    reply,
    procedureEditorPage(ctx, {
      template: procedureHeader(template),
      form: shown,
      errors,
      permissionsForm: rolePermissionsForm(ctx, template),
    }),
    status,
  );
}

/** A procedure's editor. */
function procedureEditorRoute(app: FastifyInstance) {
  const { db } = app.deps;
  app.get<{ Params: { id: string }; Querystring: { ok?: string } }>(
    '/back-office/procedures/:id',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const template = await findTemplate(db, request.params.id);
      if (!template) return reply.callNotFound();
      return renderEditor(
        db,
        request,
        reply,
        template,
        undefined,
        [],
        200,
        request.query.ok === '1' ? translator(request, 'staff').procedures.saved : undefined,
      );
    },
  );
}

/** Save a procedure: its categories, a new one, the reminder cadence (open cases are told of a new one). */
function procedureSaveRoute(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;
  app.post<{ Params: { id: string } }>(
    '/back-office/procedures/:id',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const t = translator(request, 'staff').procedures;
      const template = await findTemplate(db, request.params.id);
      if (!template) return reply.callNotFound();
      const stored = await templateCategories(db, template.id);
      const form = readProcedureForm(request.body, template, stored, await documentCountByCategory(db, template.id));
      const badForm = translator(request, 'staff').errors.badForm;
      if (!form) return renderEditor(db, request, reply, template, undefined, [badForm], 400);
      const move = applyMove(request.body, form);
      const { errors, edits, newCategory, reminderDays, every } = checkProcedureEdit(t, form, template, stored);
      if (errors.length > 0) return renderEditor(db, request, reply, template, form, errors, 400);

      const actor = { id: staffOf(request).id, ip: request.ip };
      const edit = {
        categories: edits,
        ...(newCategory ? { newCategory } : {}),
        reminderDays,
        reminderEveryDays: every,
      };
      const result = await editProcedure(db, workflows, actor, template, edit, move?.[0] ?? null);
      if (!result.saved)
        return renderEditor(
          db,
          request,
          reply,
          template,
          form,
          problemMessages(t, badForm, result.problems, form, stored),
          400,
        );
      if (result.notTold > 0)
        request.log.warn(
          { templateId: template.id, failed: result.notTold },
          'open cases not told of the new cadence now; they read it at their next reminder',
        );
      return reply.redirect(
        `/back-office/procedures/${template.id}?ok=1${move ? `#cat-${form.categories[move[1] === 'up' ? Number(move[2]) - 1 : Number(move[2]) + 1]?.id ?? ''}` : ''}`,
        303,
      );
    },
  );
}
