// The procedure editor's form: read as typed (every field named by category and piece), checked
// in the order the page lists problems, and turned into the edit that db/documents-admin.ts saves.
// Pure: the route reads the template and its categories, saves, and audits.
import type { DocumentCategory, DocumentTemplate, RefusalReasonDef } from '../../../../db/database.js';
import type { BiText, PieceRule, TemplatePiece } from '../../../../domain/pieces.js';
import {
  codeFrom,
  uniqueCode,
  type CategoryEdit,
  type NewCategory,
  type TemplateEditProblem,
} from '../../../../db/documents-admin.js';
import type { Messages } from '../../../../i18n/index.js';
import { typedForm } from '../../../forms.js';
import type { ConditionForm, PieceForm, ProcedureForm } from './view-models.js';

const TEXT_MAX = 300;
/** Condition rows read per piece (the stored ones and one empty row to add another). */
const MAX_CONDITIONS = 10;
/** A case fact's name, as the rules and the case form use it (downPayment, financing). */
const FACT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

type ProcedureMessages = Messages['procedures'];

/** A French or English amount ("15 000", "15000,50", "1 234.5"), else undefined. */
function parseAmount(value: string): number | undefined {
  const compact = value.replace(/[\s\u00a0\u202f]/g, '');
  if (!/^[0-9]+([.,][0-9]{1,2})?$/.test(compact)) return undefined;
  return Number(compact.replace(',', '.'));
}

/** Lines of a textarea, trimmed, empty ones dropped. */
function lines(value: string): string[] {
  return value
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** The editor's form as typed; undefined when a stored category is missing or repeated (a stale form). */
export function readProcedureForm(
  body: unknown,
  template: DocumentTemplate,
  stored: readonly DocumentCategory[],
  counts: Map<string, number>,
): ProcedureForm | undefined {
  const typed = (name: string): string => typedForm(body, [name])[name] ?? '';
  const storedById = new Map(stored.map((c) => [c.id, c]));
  // What was typed, shown again as typed when refused.
  const firstRole = template.roles[0]?.code ?? '';
  const pieceForm = (prefix: string): PieceForm => {
    const rule = typed(`${prefix}-rule`);
    const conditions: ConditionForm[] = [];
    for (let m = 0; m < MAX_CONDITIONS; m++) {
      const fact = typed(`${prefix}-w${m}-fact`).trim();
      const value = typed(`${prefix}-w${m}-value`).trim();
      if (!fact && !value) continue;
      conditions.push({ fact, op: typed(`${prefix}-w${m}-op`) === 'gte' ? 'gte' : 'eq', value });
    }
    return {
      labelFr: typed(`${prefix}-labelFr`).trim(),
      labelEn: typed(`${prefix}-labelEn`).trim(),
      role: typed(`${prefix}-role`) || firstRole,
      rule: rule === 'optional' || rule === 'conditional' ? rule : 'required',
      conditions,
    };
  };
  const form: ProcedureForm = {
    reminderDays: typed('reminderDays'),
    reminderEvery: typed('reminderEvery'),
    categories: [],
    newCategory: {
      label: typed('new-label').trim(),
      labelEn: typed('new-labelEn').trim(),
      acceptsFr: typed('new-acceptsFr'),
      acceptsEn: typed('new-acceptsEn'),
      refusalsFr: typed('new-refusalsFr'),
      refusalsEn: typed('new-refusalsEn'),
      piece: pieceForm('new-p'),
    },
  };
  for (let i = 0; i < stored.length; i++) {
    const k = `c${i}`;
    const current = storedById.get(typed(`${k}-id`));
    if (!current) continue;
    form.categories.push({
      id: current.id,
      label: typed(`${k}-label`).trim(),
      labelEn: typed(`${k}-labelEn`).trim(),
      acceptsFr: typed(`${k}-acceptsFr`),
      acceptsEn: typed(`${k}-acceptsEn`),
      refusalsFr: typed(`${k}-refusalsFr`),
      refusalsEn: typed(`${k}-refusalsEn`),
      remove: typed(`${k}-remove`) === '1',
      documents: counts.get(current.id) ?? 0,
      pieces: current.pieces.map((p, j) => ({
        ...pieceForm(`${k}-p${j}`),
        code: p.code,
        remove: typed(`${k}-p${j}-remove`) === '1',
      })),
      newPiece: pieceForm(`${k}-new`),
    });
  }
  // Every stored category must come back exactly once, or the form is stale.
  if (form.categories.length !== stored.length || new Set(form.categories.map((c) => c.id)).size !== stored.length)
    return undefined;

  return form;
}

/** The category moved up or down by the button pressed ("up:2"), in place: the button's match, else null. */
export function applyMove(body: unknown, form: ProcedureForm): RegExpExecArray | null {
  const move = /^(up|down):(\d+)$/.exec(typedForm(body, ['action']).action);
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
  return move;
}

/** The edit to save, or the problems (each once, in the page's order). */
export interface ProcedureEdit {
  errors: string[];
  edits: CategoryEdit[];
  newCategory: NewCategory | undefined;
  reminderDays: number[];
  every: number;
}

export function checkProcedureEdit(
  t: ProcedureMessages,
  form: ProcedureForm,
  template: DocumentTemplate,
  stored: readonly DocumentCategory[],
): ProcedureEdit {
  const errors: string[] = [];
  const { reminderDays, every } = checkCadence(t, form, errors);
  const rules = pieceRules(t, template, stored, errors);
  const edits = categoryEdits(form, stored, rules, errors, t);
  const newCategory = newCategoryEdit(t, form, rules, errors);
  return { errors: [...new Set(errors)], edits, newCategory, reminderDays, every };
}

function checkCadence(
  t: ProcedureMessages,
  form: ProcedureForm,
  errors: string[],
): { reminderDays: number[]; every: number } {
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
  return { reminderDays, every };
}

type PieceRules = ReturnType<typeof pieceRules>;

/** Pieces from their forms (codes unique in the template) and the checks of a category's texts. */
function pieceRules(
  t: ProcedureMessages,
  template: DocumentTemplate,
  stored: readonly DocumentCategory[],
  errors: string[],
) {
  const roles = new Set(template.roles.map((r) => r.code));
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
  const checkTexts = (
    n: number,
    c: { label: string; labelEn: string; refusalsFr: string[]; refusalsEn: string[]; texts: string[] },
  ) => {
    if (!c.label || !c.labelEn) errors.push(t.labelRequired(n));
    if (c.texts.some((x) => x.length > TEXT_MAX)) errors.push(t.textTooLong(n));
    if (c.refusalsFr.length === 0) errors.push(t.refusalsRequired(n));
    else if (c.refusalsFr.length !== c.refusalsEn.length) errors.push(t.refusalsMismatch(n));
  };
  return { toPiece, newPiece, checkTexts };
}

function reasonsOf(fr: string[], en: string[], current: readonly RefusalReasonDef[]): RefusalReasonDef[] {
  // A reason keeps its code when its French text is unchanged (refused documents point at it).
  const used = new Set<string>();
  return fr.map((text, j) => {
    const same = current.find((r) => r.fr === text && !used.has(r.code));
    const code = same?.code ?? uniqueCode(codeFrom(text, 'motif'), used);
    used.add(code);
    return { code, fr: text, en: en[j] ?? text };
  });
}

function categoryEdits(
  form: ProcedureForm,
  stored: readonly DocumentCategory[],
  { toPiece, newPiece, checkTexts }: PieceRules,
  errors: string[],
  t: ProcedureMessages,
): CategoryEdit[] {
  const storedById = new Map(stored.map((c) => [c.id, c]));
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
  return edits;
}

function newCategoryEdit(
  t: ProcedureMessages,
  form: ProcedureForm,
  { newPiece, checkTexts }: PieceRules,
  errors: string[],
): NewCategory | undefined {
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
  return newCategory;
}

/** Why the database refused the edit, in the administrator's words. */
export function problemMessages(
  t: ProcedureMessages,
  badForm: string,
  problems: readonly TemplateEditProblem[],
  form: ProcedureForm,
  stored: readonly DocumentCategory[],
): string[] {
  const storedById = new Map(stored.map((c) => [c.id, c]));
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
        return badForm;
    }
  });
  return [...new Set(messages)];
}
