// What the case administration pages show, as view models: the new-case form and its choices
// (spaces, templates and their facts), the procedure list, and the procedure editor's form (the
// stored template, or what the administrator typed). The database's rows are mapped here.
import type { DocumentCategory, DocumentTemplate, Space } from '../../../../db/database.js';
import type { TemplateFact } from '../../../../domain/pieces.js';

/** A case fact the new-case form asks for: an amount, or one of its values. */
export type FactChoice = { name: string; kind: 'number' } | { name: string; kind: 'choice'; values: string[] };

export interface TemplateChoice {
  id: string;
  name: string;
  nameEn: string;
  facts: FactChoice[];
}

export interface SpaceChoice {
  id: string;
  name: string;
}

export interface RoleChoice {
  code: string;
  fr: string;
  en: string;
}

/** A procedure template in the list. */
export interface ProcedureItem {
  id: string;
  name: string;
  nameEn: string;
  sector: string;
  slug: string;
  categoryCount: number;
}

/** The editor's heading and the roles a piece may be asked of. */
export interface ProcedureHeader {
  id: string;
  name: string;
  nameEn: string;
  sector: string;
  roles: RoleChoice[];
}

export function templateChoice(template: DocumentTemplate & { facts: readonly TemplateFact[] }): TemplateChoice {
  return {
    id: template.id,
    name: template.name,
    nameEn: template.name_en,
    facts: template.facts.map((f) => ({ ...f })),
  };
}

export function spaceChoice(space: Space): SpaceChoice {
  return { id: space.id, name: space.name };
}

export function procedureItem(template: DocumentTemplate, categoryCount: number): ProcedureItem {
  return {
    id: template.id,
    name: template.name,
    nameEn: template.name_en,
    sector: template.sector,
    slug: template.slug,
    categoryCount,
  };
}

export function procedureHeader(template: DocumentTemplate): ProcedureHeader {
  return {
    id: template.id,
    name: template.name,
    nameEn: template.name_en,
    sector: template.sector,
    roles: template.roles.map((r) => ({ code: r.code, fr: r.fr, en: r.en })),
  };
}

export interface NewCaseForm {
  number: string;
  title: string;
  clientEmail: string;
  clientName: string;
  spaceId: string;
  templateId: string;
  facts: Record<string, string>;
  /** E-mail the client that the case is available (ticked unless staff untick it). */
  notifyClient?: boolean;
}

export function emptyNewCaseForm(): NewCaseForm {
  return {
    number: '',
    title: '',
    clientEmail: '',
    clientName: '',
    spaceId: '',
    templateId: '',
    facts: {},
    notifyClient: true,
  };
}

/** What the editor shows: the stored template, or what the administrator typed when refused. */
export interface ConditionForm {
  fact: string;
  op: 'eq' | 'gte';
  value: string;
}

export interface PieceForm {
  labelFr: string;
  labelEn: string;
  role: string;
  rule: 'required' | 'optional' | 'conditional';
  conditions: ConditionForm[];
}

/** A category's texts as typed: labels, help lines and refusal reasons (one per line). */
export interface CategoryTexts {
  label: string;
  labelEn: string;
  acceptsFr: string;
  acceptsEn: string;
  refusalsFr: string;
  refusalsEn: string;
}

export interface ProcedureFormCategory extends CategoryTexts {
  id: string;
  remove: boolean;
  documents: number;
  pieces: Array<PieceForm & { code: string; remove: boolean }>;
  /** The empty row that adds a piece when its labels are filled in. */
  newPiece: PieceForm;
}

export interface NewCategoryForm extends CategoryTexts {
  piece: PieceForm;
}

export interface ProcedureForm {
  reminderDays: string;
  reminderEvery: string;
  categories: ProcedureFormCategory[];
  newCategory: NewCategoryForm;
}

export function emptyPieceForm(role: string): PieceForm {
  return { labelFr: '', labelEn: '', role, rule: 'required', conditions: [] };
}

export function emptyNewCategoryForm(role: string): NewCategoryForm {
  return {
    label: '',
    labelEn: '',
    acceptsFr: '',
    acceptsEn: '',
    refusalsFr: '',
    refusalsEn: '',
    piece: emptyPieceForm(role),
  };
}

export function procedureFormOf(
  categories: readonly DocumentCategory[],
  template: DocumentTemplate,
  counts: Map<string, number>,
): ProcedureForm {
  const firstRole = template.roles[0]?.code ?? '';
  return {
    reminderDays: template.reminder_days.join(', '),
    reminderEvery: String(template.reminder_every_days),
    categories: categories.map((c) => {
      const offered = c.refusal_reasons.filter((r) => !r.archived);
      return {
        id: c.id,
        label: c.label,
        labelEn: c.label_en,
        acceptsFr: c.accepts.map((a) => a.fr).join('\n'),
        acceptsEn: c.accepts.map((a) => a.en).join('\n'),
        refusalsFr: offered.map((r) => r.fr).join('\n'),
        refusalsEn: offered.map((r) => r.en).join('\n'),
        remove: false,
        documents: counts.get(c.id) ?? 0,
        pieces: c.pieces.map((p) => ({
          code: p.code,
          labelFr: p.label.fr,
          labelEn: p.label.en,
          role: p.role,
          rule: p.rule.kind === 'requiredWhen' ? 'conditional' : p.rule.kind,
          conditions:
            p.rule.kind === 'requiredWhen'
              ? p.rule.all.map((w) => ({ fact: w.fact, op: w.op, value: String(w.value) }))
              : [],
          remove: false,
        })),
        newPiece: emptyPieceForm(firstRole),
      };
    }),
    newCategory: emptyNewCategoryForm(firstRole),
  };
}
