// Piece rules: which pieces a case asks for (from its facts), the state of each category of a
// case (complete, in review, refused, missing, optional), what counts as a complete collection,
// and what the law forbids a template to ask. Pure: the rows come from db/documents.ts, which
// computes the same states for the pages, the reminders and the completion check alike.
import type { Locale } from '../i18n/index.js';

/** A text in both languages of the client space. */
export interface BiText {
  fr: string;
  en: string;
}

/** When a piece is required: always, never, or when every condition on the case's facts holds. */
export type PieceRule =
  | { kind: 'required' }
  | { kind: 'optional' }
  | { kind: 'requiredWhen'; all: Array<{ fact: string; op: 'eq' | 'gte'; value: string | number }> };

export interface TemplatePiece {
  code: string;
  label: BiText;
  /** The contributor role the piece is asked of (seed 002). */
  role: string;
  rule: PieceRule;
}

export type DocumentStatus = 'pending' | 'validated' | 'rejected';

/** The facts of a case that piece rules read (financing, down payment…). */
export type CaseFacts = Record<string, string | number>;

/** What the rules read of a category: its pieces. */
export interface PieceCategory {
  id: string;
  pieces: TemplatePiece[];
}

/** What the rules read of a deposited document. */
export interface PieceDocument {
  category_id: string;
  status: DocumentStatus;
  piece_code: string | null;
}

/** A fact a template's rules read: a number compared (a down payment) or a choice among values. */
export type TemplateFact = { name: string; kind: 'number' } | { name: string; kind: 'choice'; values: string[] };

/** The facts a template's rules read, for the form that opens a case (in the order first met). */
export function templateFacts(categories: readonly { pieces: TemplatePiece[] }[]): TemplateFact[] {
  const found = new Map<string, { number: boolean; values: Set<string> }>();
  for (const c of categories) {
    for (const p of c.pieces) {
      if (p.rule.kind !== 'requiredWhen') continue;
      for (const cond of p.rule.all) {
        const entry = found.get(cond.fact) ?? { number: false, values: new Set<string>() };
        if (cond.op === 'gte') entry.number = true;
        else entry.values.add(String(cond.value));
        found.set(cond.fact, entry);
      }
    }
  }
  return [...found].map(([name, e]) =>
    e.number ? { name, kind: 'number' } : { name, kind: 'choice', values: [...e.values] },
  );
}

export function text(value: BiText, locale: Locale): string {
  return value[locale];
}

export function categoryLabel(category: { label: string; label_en: string }, locale: Locale): string {
  return locale === 'en' ? category.label_en : category.label;
}

/** Whether a piece is asked of this case (seed 000: a down payment proof in leasing from 15,000 €). */
export function isPieceRequired(rule: PieceRule, facts: CaseFacts): boolean {
  switch (rule.kind) {
    case 'required':
      return true;
    case 'optional':
      return false;
    case 'requiredWhen':
      return rule.all.every((condition) => {
        const value = facts[condition.fact];
        if (value === undefined) return false;
        if (condition.op === 'eq') return String(value) === String(condition.value);
        return Number(value) >= Number(condition.value);
      });
  }
}

export type CategoryStateKind = 'complete' | 'in_review' | 'refused' | 'missing' | 'optional';

/** A category of a case: its state, the pieces asked, those still missing, its documents. */
export interface PieceCategoryState<C extends PieceCategory, D extends PieceDocument> {
  category: C;
  state: CategoryStateKind;
  required: TemplatePiece[];
  missing: TemplatePiece[];
  documents: D[];
}

/** The state of each category, in order: a piece counts once a document was validated as it. */
export function categoryStates<C extends PieceCategory, D extends PieceDocument>(
  categories: readonly C[],
  documents: readonly D[],
  facts: CaseFacts,
): PieceCategoryState<C, D>[] {
  return categories.map((category) => {
    const docs = documents.filter((d) => d.category_id === category.id);
    const required = category.pieces.filter((p) => isPieceRequired(p.rule, facts));
    const validated = new Set(docs.filter((d) => d.status === 'validated').map((d) => d.piece_code));
    const missing = required.filter((p) => !validated.has(p.code));
    let state: CategoryStateKind;
    if (required.length === 0)
      state = docs.some((d) => d.status === 'validated')
        ? 'complete'
        : docs.some((d) => d.status === 'pending')
          ? 'in_review'
          : 'optional';
    else if (missing.length === 0) state = 'complete';
    else if (docs.some((d) => d.status === 'pending')) state = 'in_review';
    else if (docs.length > 0 && docs[docs.length - 1]?.status === 'rejected') state = 'refused';
    else state = 'missing';
    return { category, state, required, missing, documents: docs };
  });
}

/** A collection is complete when no category misses a required piece. */
export function isCaseComplete(states: readonly { missing: readonly unknown[] }[]): boolean {
  return states.every((s) => s.missing.length === 0);
}

/** French law (loi du 6 juillet 1989, décret 2015-1437): a property manager never asks a tenant
 * for bank statements. Checked on every template category written. */
const BANK_STATEMENTS = /relev[ée]s?\s+(de\s+)?(compte|bancaire)|bank\s+statements?/i;

export type TemplateSector = 'finance' | 'property_management';

export function templateCategoryProblems(
  sector: TemplateSector,
  category: { code: string; label: string; label_en: string; accepts: BiText[]; pieces: TemplatePiece[] },
): string[] {
  if (sector !== 'property_management') return [];
  const texts = [
    category.code.replace(/-/g, ' '),
    category.label,
    category.label_en,
    ...category.accepts.flatMap((a) => [a.fr, a.en]),
    ...category.pieces.flatMap((p) => [p.label.fr, p.label.en]),
  ];
  return texts.some((t) => BANK_STATEMENTS.test(t)) ? ['bank_statements_forbidden'] : [];
}

export class TemplateRuleError extends Error {
  override name = 'TemplateRuleError';
  constructor(readonly problems: string[]) {
    super(`template category refused: ${problems.join(', ')}`);
  }
}
