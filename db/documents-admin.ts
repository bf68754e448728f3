// Back-office writes around document collection: finding a case number already used, and the
// administrator's template editor (what a template's rules ask of a new case, its facts, is
// domain/pieces.ts templateFacts).
import { sql } from 'kysely';
import { inTransaction, type Db } from './connect.js';
import type { DocumentTemplate, RefusalReasonDef } from './database.js';
import { templateCategories } from './documents.js';
import { templateCategoryProblems, type BiText, type TemplatePiece } from '../domain/pieces.js';

/** Case numbers are external references: one number is one case, whatever its case or space. */
export async function caseNumberTaken(db: Db, number: string): Promise<boolean> {
  const row = await db
    .selectFrom('cases')
    .select('id')
    .where(sql`lower(number)`, '=', number.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}

export async function listTemplates(db: Db): Promise<DocumentTemplate[]> {
  return db.selectFrom('document_templates').selectAll().orderBy('name').execute();
}

export async function findTemplate(db: Db, id: string): Promise<DocumentTemplate | undefined> {
  return db.selectFrom('document_templates').selectAll().where('id', '=', id).executeTakeFirst();
}

/** How many documents each category of a template holds (a category with documents stays). */
export async function documentCountByCategory(db: Db, templateId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('documents')
    .innerJoin('document_categories', 'document_categories.id', 'documents.category_id')
    .select(['documents.category_id', sql<number>`count(*)::int`.as('n')])
    .where('document_categories.template_id', '=', templateId)
    .groupBy('documents.category_id')
    .execute();
  return new Map(rows.map((r) => [r.category_id, Number(r.n)]));
}

export interface CategoryEdit {
  id: string;
  label: string;
  label_en: string;
  accepts: BiText[];
  refusalReasons: RefusalReasonDef[];
  /** The pieces kept, edited and added; a stored piece missing here is removed. */
  pieces: TemplatePiece[];
  remove: boolean;
}

export interface NewCategory {
  label: string;
  label_en: string;
  accepts: BiText[];
  refusalReasons: RefusalReasonDef[];
  pieces: TemplatePiece[];
}

export interface TemplateEdit {
  /** In their new order. */
  categories: CategoryEdit[];
  /** Added after the others. */
  newCategory?: NewCategory;
  reminderDays: number[];
  reminderEveryDays: number;
}

export type TemplateEditProblem =
  | { kind: 'bank_statements_forbidden'; categoryId: string | null }
  | { kind: 'has_documents'; categoryId: string }
  | { kind: 'piece_in_use'; categoryId: string; pieceCode: string }
  | { kind: 'unknown_category'; categoryId: string };

/** A code from a label: lower-case ASCII words joined by dashes, at most 40 characters. */
export function codeFrom(text: string, fallback: string): string {
  const s = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40);
  return s || fallback;
}

/** `base`, else `base-2`, `base-3`… whichever is not taken yet. */
export function uniqueCode(base: string, taken: ReadonlySet<string>): string {
  let code = base;
  for (let n = 2; taken.has(code); n++) code = `${base}-${n}`;
  return code;
}

/** Per category of a template, the refusal reasons and pieces its documents point at. */
async function codesInUse(
  db: Db,
  templateId: string,
): Promise<Map<string, { reasons: Set<string>; pieces: Set<string> }>> {
  const rows = await db
    .selectFrom('documents')
    .innerJoin('document_categories', 'document_categories.id', 'documents.category_id')
    .select(['documents.category_id', 'documents.rejection_reason', 'documents.piece_code'])
    .distinct()
    .where('document_categories.template_id', '=', templateId)
    .where((eb) =>
      eb.or([eb('documents.rejection_reason', 'is not', null), eb('documents.piece_code', 'is not', null)]),
    )
    .execute();
  const out = new Map<string, { reasons: Set<string>; pieces: Set<string> }>();
  for (const r of rows) {
    const entry = out.get(r.category_id) ?? { reasons: new Set<string>(), pieces: new Set<string>() };
    if (r.rejection_reason) entry.reasons.add(r.rejection_reason);
    if (r.piece_code) entry.pieces.add(r.piece_code);
    out.set(r.category_id, entry);
  }
  return out;
}

/**
 * Saves a template as edited, all or nothing: the law's rule (templateCategoryProblems) and the
 * documents already deposited are checked first; any problem and nothing is written.
 */
export async function saveTemplateEdit(
  db: Db,
  template: DocumentTemplate,
  edit: TemplateEdit,
): Promise<TemplateEditProblem[]> {
  return inTransaction(db, async (tx) => {
    const existing = await templateCategories(tx, template.id);
    const counts = await documentCountByCategory(tx, template.id);
    const inUse = await codesInUse(tx, template.id);
    const problems: TemplateEditProblem[] = [];
    const byId = new Map(existing.map((c) => [c.id, c]));
    for (const c of edit.categories) {
      const current = byId.get(c.id);
      if (!current) {
        problems.push({ kind: 'unknown_category', categoryId: c.id });
        continue;
      }
      if (c.remove) {
        if ((counts.get(c.id) ?? 0) > 0) problems.push({ kind: 'has_documents', categoryId: c.id });
        continue;
      }
      // A piece documents were validated as stays (their category's state counts it).
      for (const code of inUse.get(c.id)?.pieces ?? []) {
        if (current.pieces.some((p) => p.code === code) && !c.pieces.some((p) => p.code === code))
          problems.push({ kind: 'piece_in_use', categoryId: c.id, pieceCode: code });
      }
      for (const p of templateCategoryProblems(template.sector, {
        code: current.code,
        label: c.label,
        label_en: c.label_en,
        accepts: c.accepts,
        pieces: c.pieces,
      })) {
        if (p === 'bank_statements_forbidden') problems.push({ kind: p, categoryId: c.id });
      }
    }
    if (edit.newCategory) {
      for (const p of templateCategoryProblems(template.sector, { code: 'new', ...edit.newCategory })) {
        if (p === 'bank_statements_forbidden') problems.push({ kind: p, categoryId: null });
      }
    }
    if (problems.length > 0) return problems;
    let position = 0;
    for (const c of edit.categories) {
      if (c.remove) {
        await tx
          .deleteFrom('document_categories')
          .where('id', '=', c.id)
          .where('template_id', '=', template.id)
          .execute();
        continue;
      }
      // A reason taken out while documents were refused for it is kept, archived: they still show it.
      const usedReasons = inUse.get(c.id)?.reasons ?? new Set<string>();
      const kept = new Set(c.refusalReasons.map((r) => r.code));
      const archived = (byId.get(c.id)?.refusal_reasons ?? [])
        .filter((r) => usedReasons.has(r.code) && !kept.has(r.code))
        .map((r) => ({ ...r, archived: true }));
      await tx
        .updateTable('document_categories')
        .set({
          position: position++,
          label: c.label,
          label_en: c.label_en,
          accepts: JSON.stringify(c.accepts),
          refusal_reasons: JSON.stringify([...c.refusalReasons.map(({ archived: _, ...r }) => r), ...archived]),
          pieces: JSON.stringify(c.pieces),
        })
        .where('id', '=', c.id)
        .where('template_id', '=', template.id)
        .execute();
    }
    if (edit.newCategory) {
      const n = edit.newCategory;
      const code = uniqueCode(codeFrom(n.label, 'categorie'), new Set(existing.map((c) => c.code)));
      await tx
        .insertInto('document_categories')
        .values({
          template_id: template.id,
          position: position++,
          code,
          label: n.label,
          label_en: n.label_en,
          accepts: JSON.stringify(n.accepts),
          refusal_reasons: JSON.stringify(n.refusalReasons),
          pieces: JSON.stringify(n.pieces),
        })
        .execute();
    }
    await tx
      .updateTable('document_templates')
      .set({ reminder_days: edit.reminderDays, reminder_every_days: edit.reminderEveryDays })
      .where('id', '=', template.id)
      .execute();
    return [];
  });
}
