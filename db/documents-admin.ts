// Back-office writes around document collection: what a template's rules ask of a new case
// (its facts), finding a case number already used, and the administrator's template editor.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { BiText, DocumentCategory, DocumentTemplate, RefusalReasonDef, TemplatePiece } from './database.js';
import { templateCategories, templateCategoryProblems } from './documents.js';

/** A fact a template's rules read: a number compared (a down payment) or a choice among values. */
export type TemplateFact = { name: string; kind: 'number' } | { name: string; kind: 'choice'; values: string[] };

export function templateFacts(categories: readonly DocumentCategory[]): TemplateFact[] {
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
  return [...found].map(([name, e]) => (e.number ? { name, kind: 'number' } : { name, kind: 'choice', values: [...e.values] }));
}

/** Case numbers are external references: one number is one case, whatever its case or space. */
export async function caseNumberTaken(db: Db, number: string): Promise<boolean> {
  const row = await db.selectFrom('cases').select('id').where(sql`lower(number)`, '=', number.toLowerCase()).executeTakeFirst();
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
  pieces: TemplatePiece[];
  remove: boolean;
}

export interface TemplateEdit {
  /** In their new order. */
  categories: CategoryEdit[];
  reminderDays: number[];
  reminderEveryDays: number;
}

export type TemplateEditProblem =
  | { kind: 'bank_statements_forbidden'; categoryId: string }
  | { kind: 'has_documents'; categoryId: string }
  | { kind: 'unknown_category'; categoryId: string };

/**
 * Saves a template as edited, all or nothing: the law's rule (templateCategoryProblems) and the
 * documents already deposited are checked first; any problem and nothing is written.
 */
export async function saveTemplateEdit(db: Db, template: DocumentTemplate, edit: TemplateEdit): Promise<TemplateEditProblem[]> {
  return db.transaction().execute(async (tx) => {
    const existing = await templateCategories(tx, template.id);
    const counts = await documentCountByCategory(tx, template.id);
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
      for (const p of templateCategoryProblems(template.sector, { code: current.code, label: c.label, label_en: c.label_en, accepts: c.accepts, pieces: c.pieces })) {
        if (p === 'bank_statements_forbidden') problems.push({ kind: p, categoryId: c.id });
      }
    }
    if (problems.length > 0) return problems;
    let position = 0;
    for (const c of edit.categories) {
      if (c.remove) {
        await tx.deleteFrom('document_categories').where('id', '=', c.id).where('template_id', '=', template.id).execute();
        continue;
      }
      await tx
        .updateTable('document_categories')
        .set({
          position: position++,
          label: c.label,
          label_en: c.label_en,
          accepts: JSON.stringify(c.accepts),
          refusal_reasons: JSON.stringify(c.refusalReasons),
          pieces: JSON.stringify(c.pieces),
        })
        .where('id', '=', c.id)
        .where('template_id', '=', template.id)
        .execute();
    }
    await tx.updateTable('document_templates').set({ reminder_days: edit.reminderDays, reminder_every_days: edit.reminderEveryDays }).where('id', '=', template.id).execute();
    return [];
  });
}
