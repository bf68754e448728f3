// Back-office: staff open a case (the same path as every case: openCase, which starts the
// collection workflow), and administrators edit the procedure templates.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findAccountByEmail, normalizeEmail } from '../../../../db/accounts.js';
import { audit } from '../../../../db/audit.js';
import type { BiText, DocumentTemplate, PieceRule, RefusalReasonDef, TemplatePiece } from '../../../../db/database.js';
import { templateCategories } from '../../../../db/documents.js';
import {
  caseNumberTaken,
  codeFrom,
  documentCountByCategory,
  findTemplate,
  listTemplates,
  saveTemplateEdit,
  templateFacts,
  uniqueCode,
  type CategoryEdit,
  type NewCategory,
} from '../../../../db/documents-admin.js';
import { pageContext, sendPage, translator } from '../../../context.js';
import { announceCadenceChange, openCaseForClient } from '../../../../app/documents.js';
import { field, isEmail } from '../../../../domain/validation.js';
import { parseForm } from '../../../forms.js';
import {
  CASE_NUMBER,
  newCaseSchema,
  newCaseTyped,
  spaceIdLooksValid,
  type NewCaseLookups,
  type TemplateWithFacts,
} from './forms.js';
import {
  emptyNewCaseForm,
  newCasePage,
  procedureEditorPage,
  procedureFormOf,
  procedureListPage,
  type ConditionForm,
  type NewCaseForm,
  type PieceForm,
  type ProcedureForm,
} from './pages.js';
import { idParams } from '../../../params.js';
import { spacesInScope } from '../../../../db/spaces.js';
import { staffOf } from '../../../plugins/access.js';

const hidden = { schema: { hide: true } };
const TEXT_MAX = 300;
/** Condition rows read per piece (the stored ones and one empty row to add another). */
const MAX_CONDITIONS = 10;
/** A case fact's name, as the rules and the case form use it (downPayment, financing). */
const FACT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

/** A French or English amount ("15 000", "15000,50", "1 234.5"), else undefined. */
function parseAmount(value: string): number | undefined {
  const compact = value.replace(/[\s\u00a0\u202f]/g, '');
  if (!/^[0-9]+([.,][0-9]{1,2})?$/.test(compact)) return undefined;
  return Number(compact.replace(',', '.'));
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/** Lines of a textarea, trimmed, empty ones dropped. */
function lines(value: string): string[] {
  return value
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export default function caseAdminRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, workflows } = app.deps;

  // ---- Opening a case (staff) ----

  async function templatesWithFacts(): Promise<TemplateWithFacts[]> {
    const templates = await listTemplates(db);
    return Promise.all(
      templates.map(async (tpl) => ({ ...tpl, facts: templateFacts(await templateCategories(db, tpl.id)) })),
    );
  }

  async function renderNewCase(
    request: FastifyRequest,
    reply: FastifyReply,
    form: NewCaseForm,
    errors: string[],
    status = 200,
  ) {
    const [spaces, templates] = await Promise.all([spacesInScope(db, request.staffScope), templatesWithFacts()]);
    return sendPage(
      reply,
      newCasePage(pageContext(request, reply, { area: 'staff' }), { form, spaces, templates, errors }),
      status,
    );
  }

  /** What the new-case rules need from the database (see newCaseSchema). */
  async function newCaseLookups(
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

  app.get('/back-office/dossiers/nouveau', { ...hidden, config: { access: 'staff' } }, async (request, reply) => {
    return renderNewCase(request, reply, emptyNewCaseForm(), []);
  });

  app.post(
    '/back-office/dossiers/nouveau',
    { config: { access: 'staff' }, ...hidden, preHandler: csrf },
    async (request, reply) => {
      const staff = staffOf(request);
      const t = translator(request, 'staff');
      const templates = await templatesWithFacts();
      const factNames = [...new Set(templates.flatMap((tpl) => tpl.facts.map((f) => f.name)))];
      const form = newCaseTyped(request.body, factNames);
      const found = await newCaseLookups(request, form, templates);
      const parsed = parseForm(newCaseSchema(t, found, normalizeEmail), request.body);
      if (!parsed.ok) return renderNewCase(request, reply, form, parsed.errors, 400);
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
            request,
            reply,
            form,
            [taken ? t.caseAdmin.numberTaken(form.number) : t.caseAdmin.unavailable],
            409,
          );
        }
        request.log.error({ err }, 'could not open a case');
        return renderNewCase(request, reply, form, [t.caseAdmin.unavailable], 503);
      }
    },
  );

  // ---- Procedure templates (administrators) ----

  app.get('/back-office/procedures', { ...hidden, config: { access: 'admin' } }, async (request, reply) => {
    const templates = await listTemplates(db);
    const withCounts = await Promise.all(
      templates.map(async (tpl) => ({ ...tpl, categoryCount: (await templateCategories(db, tpl.id)).length })),
    );
    return sendPage(reply, procedureListPage(pageContext(request, reply, { area: 'staff' }), withCounts));
  });

  async function renderEditor(
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
    return sendPage(reply, procedureEditorPage(ctx, { template, form: shown, errors }), status);
  }

  app.get<{ Params: { id: string }; Querystring: { ok?: string } }>(
    '/back-office/procedures/:id',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const template = await findTemplate(db, request.params.id);
      if (!template) return reply.callNotFound();
      return renderEditor(
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

  app.post<{ Params: { id: string } }>(
    '/back-office/procedures/:id',
    { config: { access: 'admin' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const t = translator(request, 'staff').procedures;
      const template = await findTemplate(db, request.params.id);
      if (!template) return reply.callNotFound();
      const body = request.body;
      const stored = await templateCategories(db, template.id);
      const counts = await documentCountByCategory(db, template.id);
      const storedById = new Map(stored.map((c) => [c.id, c]));
      const roles = new Set(template.roles.map((r) => r.code));
      const errors: string[] = [];

      // What was typed, shown again as typed when refused.
      const firstRole = template.roles[0]?.code ?? '';
      const pieceForm = (prefix: string): PieceForm => {
        const rule = field(body, `${prefix}-rule`);
        const conditions: ConditionForm[] = [];
        for (let m = 0; m < MAX_CONDITIONS; m++) {
          const fact = field(body, `${prefix}-w${m}-fact`).trim();
          const value = field(body, `${prefix}-w${m}-value`).trim();
          if (!fact && !value) continue;
          conditions.push({ fact, op: field(body, `${prefix}-w${m}-op`) === 'gte' ? 'gte' : 'eq', value });
        }
        return {
          labelFr: field(body, `${prefix}-labelFr`).trim(),
          labelEn: field(body, `${prefix}-labelEn`).trim(),
          role: field(body, `${prefix}-role`) || firstRole,
          rule: rule === 'optional' || rule === 'conditional' ? rule : 'required',
          conditions,
        };
      };
      const form: ProcedureForm = {
        reminderDays: field(body, 'reminderDays'),
        reminderEvery: field(body, 'reminderEvery'),
        categories: [],
        newCategory: {
          label: field(body, 'new-label').trim(),
          labelEn: field(body, 'new-labelEn').trim(),
          acceptsFr: field(body, 'new-acceptsFr'),
          acceptsEn: field(body, 'new-acceptsEn'),
          refusalsFr: field(body, 'new-refusalsFr'),
          refusalsEn: field(body, 'new-refusalsEn'),
          piece: pieceForm('new-p'),
        },
      };
      for (let i = 0; i < stored.length; i++) {
        const k = `c${i}`;
        const current = storedById.get(field(body, `${k}-id`));
        if (!current) continue;
        form.categories.push({
          id: current.id,
          label: field(body, `${k}-label`).trim(),
          labelEn: field(body, `${k}-labelEn`).trim(),
          acceptsFr: field(body, `${k}-acceptsFr`),
          acceptsEn: field(body, `${k}-acceptsEn`),
          refusalsFr: field(body, `${k}-refusalsFr`),
          refusalsEn: field(body, `${k}-refusalsEn`),
          remove: field(body, `${k}-remove`) === '1',
          documents: counts.get(current.id) ?? 0,
          pieces: current.pieces.map((p, j) => ({
            ...pieceForm(`${k}-p${j}`),
            code: p.code,
            remove: field(body, `${k}-p${j}-remove`) === '1',
          })),
          newPiece: pieceForm(`${k}-new`),
        });
      }
      // Every stored category must come back exactly once, or the form is stale.
      if (
        form.categories.length !== stored.length ||
        new Set(form.categories.map((c) => c.id)).size !== stored.length
      ) {
        return renderEditor(request, reply, template, undefined, [translator(request, 'staff').errors.badForm], 400);
      }

      const action = field(body, 'action');
      const move = /^(up|down):(\d+)$/.exec(action);
      if (move) {
        const from = Number(move[2]);
        const to = move[1] === 'up' ? from - 1 : from + 1;
        const a = form.categories[from];
        const b = form.categories[to];
        if (a && b) {
          form.categories[from] = b;
          form.categories[to] = a;
        }
      }

      const days = form.reminderDays.split(',').map((d) => d.trim());
      const reminderDays = days.map((d) => (/^\d{1,3}$/.test(d) ? Number(d) : NaN));
      if (
        reminderDays.length === 0 ||
        reminderDays.some((d, i) => !Number.isInteger(d) || d < 1 || d > 365 || (i > 0 && d <= reminderDays[i - 1]!))
      )
        errors.push(t.cadenceInvalid);
      const every = /^\d{1,2}$/.test(form.reminderEvery.trim()) ? Number(form.reminderEvery.trim()) : NaN;
      if (!Number.isInteger(every) || every < 1 || every > 90) errors.push(t.everyInvalid);
      if (form.categories.every((c) => c.remove)) errors.push(t.noneLeft);

      // Piece codes are unique in the template: a validated document names its piece by code.
      const pieceCodes = new Set(stored.flatMap((c) => c.pieces.map((p) => p.code)));
      const toPiece = (p: PieceForm, code: string, n: number): TemplatePiece => {
        if (!roles.has(p.role)) errors.push(t.roleInvalid(n));
        let rule: PieceRule = { kind: p.rule === 'optional' ? 'optional' : 'required' };
        if (p.rule === 'conditional') {
          if (p.conditions.length === 0) errors.push(t.conditionRequired(n));
          const all: Array<{ fact: string; op: 'eq' | 'gte'; value: string | number }> = [];
          for (const w of p.conditions) {
            const amount = parseAmount(w.value);
            if (!FACT_NAME.test(w.fact) || !w.value || (w.op === 'gte' && amount === undefined))
              errors.push(t.conditionInvalid(n));
            else all.push({ fact: w.fact, op: w.op, value: w.op === 'gte' ? amount! : w.value });
          }
          rule = { kind: 'requiredWhen', all };
        }
        return { code, label: { fr: p.labelFr, en: p.labelEn }, role: p.role, rule };
      };
      const newPiece = (p: PieceForm, n: number): TemplatePiece => {
        const code = uniqueCode(codeFrom(p.labelFr, 'piece'), pieceCodes);
        pieceCodes.add(code);
        return toPiece(p, code, n);
      };
      const reasonsOf = (fr: string[], en: string[], current: readonly RefusalReasonDef[]): RefusalReasonDef[] => {
        // A reason keeps its code when its French text is unchanged (refused documents point at it).
        const used = new Set<string>();
        return fr.map((text, j) => {
          const same = current.find((r) => r.fr === text && !used.has(r.code));
          const code = same?.code ?? uniqueCode(codeFrom(text, 'motif'), used);
          used.add(code);
          return { code, fr: text, en: en[j] ?? text };
        });
      };
      const checkTexts = (
        n: number,
        c: { label: string; labelEn: string; refusalsFr: string[]; refusalsEn: string[]; texts: string[] },
      ) => {
        if (!c.label || !c.labelEn) errors.push(t.labelRequired(n));
        if (c.texts.some((x) => x.length > TEXT_MAX)) errors.push(t.textTooLong(n));
        if (c.refusalsFr.length === 0) errors.push(t.refusalsRequired(n));
        else if (c.refusalsFr.length !== c.refusalsEn.length) errors.push(t.refusalsMismatch(n));
      };

      const edits: CategoryEdit[] = [];
      form.categories.forEach((c, i) => {
        const n = i + 1;
        const current = storedById.get(c.id)!;
        const acceptsFr = lines(c.acceptsFr);
        const acceptsEn = lines(c.acceptsEn);
        const refusalsFr = lines(c.refusalsFr);
        const refusalsEn = lines(c.refusalsEn);
        const adding = c.newPiece.labelFr !== '' || c.newPiece.labelEn !== '';
        const kept = c.pieces.filter((p) => !p.remove);
        const allPieces = [...kept, ...(adding ? [c.newPiece] : [])];
        checkTexts(n, {
          label: c.label,
          labelEn: c.labelEn,
          refusalsFr,
          refusalsEn,
          texts: [
            c.label,
            c.labelEn,
            ...acceptsFr,
            ...acceptsEn,
            ...refusalsFr,
            ...refusalsEn,
            ...allPieces.flatMap((p) => [p.labelFr, p.labelEn]),
          ],
        });
        if (allPieces.some((p) => !p.labelFr || !p.labelEn)) errors.push(t.pieceLabelRequired(n));
        if (!c.remove && allPieces.length === 0) errors.push(t.noPieceLeft(n));
        // Help lines pair by position; a line without its translation shows the French text.
        const accepts: BiText[] = acceptsFr.map((fr, j) => ({ fr, en: acceptsEn[j] ?? fr }));
        const pieces = [...kept.map((p) => toPiece(p, p.code, n)), ...(adding ? [newPiece(c.newPiece, n)] : [])];
        edits.push({
          id: c.id,
          label: c.label,
          label_en: c.labelEn,
          accepts,
          refusalReasons: reasonsOf(refusalsFr, refusalsEn, current.refusal_reasons),
          pieces,
          remove: c.remove,
        });
      });

      // A new category, when anything of it was typed.
      const nc = form.newCategory;
      let newCategory: NewCategory | undefined;
      if (
        [
          nc.label,
          nc.labelEn,
          nc.acceptsFr.trim(),
          nc.acceptsEn.trim(),
          nc.refusalsFr.trim(),
          nc.refusalsEn.trim(),
          nc.piece.labelFr,
          nc.piece.labelEn,
        ].some((x) => x !== '')
      ) {
        const n = form.categories.length + 1;
        const acceptsFr = lines(nc.acceptsFr);
        const acceptsEn = lines(nc.acceptsEn);
        const refusalsFr = lines(nc.refusalsFr);
        const refusalsEn = lines(nc.refusalsEn);
        if (!nc.label || !nc.labelEn || refusalsFr.length === 0 || !nc.piece.labelFr || !nc.piece.labelEn)
          errors.push(t.newCategoryIncomplete);
        else
          checkTexts(n, {
            label: nc.label,
            labelEn: nc.labelEn,
            refusalsFr,
            refusalsEn,
            texts: [
              nc.label,
              nc.labelEn,
              ...acceptsFr,
              ...acceptsEn,
              ...refusalsFr,
              ...refusalsEn,
              nc.piece.labelFr,
              nc.piece.labelEn,
            ],
          });
        newCategory = {
          label: nc.label,
          label_en: nc.labelEn,
          accepts: acceptsFr.map((fr, j) => ({ fr, en: acceptsEn[j] ?? fr })),
          refusalReasons: reasonsOf(refusalsFr, refusalsEn, []),
          pieces: [newPiece(nc.piece, n)],
        };
      }
      if (errors.length > 0) return renderEditor(request, reply, template, form, [...new Set(errors)], 400);

      const problems = await saveTemplateEdit(db, template, {
        categories: edits,
        ...(newCategory ? { newCategory } : {}),
        reminderDays,
        reminderEveryDays: every,
      });
      if (problems.length > 0) {
        const labelOf = (id: string | null) =>
          id === null
            ? form.newCategory.label
            : (form.categories.find((c) => c.id === id)?.label ?? storedById.get(id)?.label ?? '');
        const pieceLabel = (id: string, code: string) =>
          storedById.get(id)?.pieces.find((p) => p.code === code)?.label.fr ?? code;
        const messages = problems.map((p) => {
          switch (p.kind) {
            case 'bank_statements_forbidden':
              return t.bankStatements(labelOf(p.categoryId));
            case 'has_documents':
              return t.hasDocuments(labelOf(p.categoryId));
            case 'piece_in_use':
              return t.pieceInUse(labelOf(p.categoryId), pieceLabel(p.categoryId, p.pieceCode));
            default:
              return translator(request, 'staff').errors.badForm;
          }
        });
        return renderEditor(request, reply, template, form, [...new Set(messages)], 400);
      }
      const cadenceChanged =
        reminderDays.join(',') !== template.reminder_days.join(',') || every !== template.reminder_every_days;
      if (cadenceChanged) {
        const { failed } = await announceCadenceChange(db, workflows, template.id);
        if (failed > 0)
          request.log.warn(
            { templateId: template.id, failed },
            'open cases not told of the new cadence now; they read it at their next reminder',
          );
      }
      await audit(db, {
        actorAccountId: staffOf(request).id,
        actorKind: 'staff',
        action: 'document_template.edit',
        subjectType: 'document_template',
        subjectId: template.id,
        ip: request.ip,
        details: { removed: edits.filter((e) => e.remove).map((e) => e.id), moved: move ? action : null },
      });
      return reply.redirect(
        `/back-office/procedures/${template.id}?ok=1${move ? `#cat-${form.categories[move[1] === 'up' ? Number(move[2]) - 1 : Number(move[2]) + 1]?.id ?? ''}` : ''}`,
        303,
      );
    },
  );
}
