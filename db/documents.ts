// Document collection: templates, cases, deposited documents and their review. The state of a
// case's categories (green or what is missing) is read here (caseProgress) and computed by the
// piece rules of domain/pieces.ts, for the pages, the reminders and the completion check alike.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import { EVERY_SPACE, whereInScope, type StaffScope } from './staff-access.js';
import type {
  Case,
  CaseStatus,
  DocumentCategory,
  DocumentRow,
  DocumentTemplate,
  RefusalReasonDef,
} from './database.js';
import {
  categoryStates,
  templateCategoryProblems,
  TemplateRuleError,
  type BiText,
  type PieceCategoryState,
  type TemplatePiece,
} from '../domain/pieces.js';

/** The state of a category of a case, with its rows (the rules are domain/pieces.ts). */
export type CategoryState = PieceCategoryState<DocumentCategory, DocumentRow>;

/** Adds a category to a template (the administrator's write path), refusing what the law forbids. */
export async function addTemplateCategory(
  db: Db,
  templateId: string,
  category: {
    code: string;
    label: string;
    label_en: string;
    accepts: BiText[];
    refusalReasons: RefusalReasonDef[];
    pieces: TemplatePiece[];
  },
): Promise<DocumentCategory> {
  const template = await db
    .selectFrom('document_templates')
    .selectAll()
    .where('id', '=', templateId)
    .executeTakeFirstOrThrow();
  const problems = templateCategoryProblems(template.sector, category);
  if (problems.length > 0) throw new TemplateRuleError(problems);
  const last = await db
    .selectFrom('document_categories')
    .select(sql<number>`coalesce(max(position), -1)`.as('max'))
    .where('template_id', '=', templateId)
    .executeTakeFirstOrThrow();
  return db
    .insertInto('document_categories')
    .values({
      template_id: templateId,
      position: last.max + 1,
      code: category.code,
      label: category.label,
      label_en: category.label_en,
      accepts: JSON.stringify(category.accepts),
      refusal_reasons: JSON.stringify(category.refusalReasons),
      pieces: JSON.stringify(category.pieces),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findTemplateBySlug(db: Db, slug: string): Promise<DocumentTemplate | undefined> {
  return db.selectFrom('document_templates').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function templateCategories(db: Db, templateId: string): Promise<DocumentCategory[]> {
  return db
    .selectFrom('document_categories')
    .selectAll()
    .where('template_id', '=', templateId)
    .orderBy('position')
    .execute();
}

export async function createCase(
  db: Db,
  c: {
    spaceId: string;
    templateId: string;
    clientAccountId: string;
    number: string;
    title: string;
    facts?: Record<string, string | number>;
    redmineIssueId?: number | null;
  },
): Promise<Case> {
  return db
    .insertInto('cases')
    .values({
      space_id: c.spaceId,
      template_id: c.templateId,
      client_account_id: c.clientAccountId,
      number: c.number,
      title: c.title,
      facts: JSON.stringify(c.facts ?? {}),
      redmine_issue_id: c.redmineIssueId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findCase(db: Db, caseId: string): Promise<Case | undefined> {
  return db.selectFrom('cases').selectAll().where('id', '=', caseId).executeTakeFirst();
}

/** The case if it is in a space the staff member sees; otherwise it does not exist for them. */
export async function findStaffCase(db: Db, scope: StaffScope, caseId: string): Promise<Case | undefined> {
  return whereInScope(
    db.selectFrom('cases').selectAll().where('id', '=', caseId),
    'cases.space_id',
    scope,
  ).executeTakeFirst();
}

// A client reaches a case through caseAccessFor (db/contributors.ts): the main client and the
// people it is shared with, each with their permissions.

export interface CaseSummary {
  id: string;
  number: string;
  title: string;
  status: CaseStatus;
  clientName: string;
  spaceName: string;
  templateName: string;
  templateNameEn: string;
  pending: number;
}

function summaries(db: Db) {
  return db
    .selectFrom('cases')
    .innerJoin('accounts', 'accounts.id', 'cases.client_account_id')
    .innerJoin('spaces', 'spaces.id', 'cases.space_id')
    .innerJoin('document_templates', 'document_templates.id', 'cases.template_id')
    .select((eb) => [
      'cases.id',
      'cases.number',
      'cases.title',
      'cases.status',
      'accounts.full_name as clientName',
      'spaces.name as spaceName',
      'document_templates.name as templateName',
      'document_templates.name_en as templateNameEn',
      eb
        .selectFrom('documents')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('documents.case_id', '=', 'cases.id')
        .where('documents.status', '=', 'pending')
        .as('pending'),
    ])
    .orderBy('cases.created_at', 'desc');
}

/**
 * Cases found by their number (exact, any case) or by the client's name (seed 000: "attention
 * de bien l’orthographier": every word typed must appear in the name, accents and case aside).
 * A client searches only their own cases.
 */
export async function searchCases(
  db: Db,
  query: string,
  options: { clientId?: string; limit?: number; scope?: StaffScope } = {},
): Promise<CaseSummary[]> {
  const q = query.trim().replace(/\s+/g, ' ');
  let select = whereInScope(summaries(db), 'cases.space_id', options.scope ?? EVERY_SPACE).limit(options.limit ?? 50);
  const clientId = options.clientId;
  // A client's list: their own cases and the cases shared with them (seed 002, contributors).
  if (clientId) {
    select = select.where((eb) =>
      eb.or([
        eb('cases.client_account_id', '=', clientId),
        eb(
          'cases.id',
          'in',
          eb
            .selectFrom('case_members')
            .select('case_members.case_id')
            .where('case_members.account_id', '=', clientId)
            .where('case_members.status', '=', 'active'),
        ),
      ]),
    );
  }
  if (q !== '') {
    const words = q.split(' ').slice(0, 6);
    select = select.where((eb) =>
      eb.or([
        eb(sql`lower(cases.number)`, '=', q.toLowerCase()),
        eb.and(
          words.map((w) =>
            eb(sql`lower(accounts.full_name)`, 'like', `%${w.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
          ),
        ),
      ]),
    );
  }
  const rows = await select.execute();
  return rows.map((r) => ({ ...r, pending: Number(r.pending ?? 0) }));
}

export async function caseDocuments(db: Db, caseId: string): Promise<DocumentRow[]> {
  return db
    .selectFrom('documents')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findCaseDocument(db: Db, caseId: string, documentId: string): Promise<DocumentRow | undefined> {
  return db
    .selectFrom('documents')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('id', '=', documentId)
    .executeTakeFirst();
}

export interface NewDocument {
  caseId: string;
  categoryId: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  storageKey: string;
  pageCount: number | null;
  source: 'upload' | 'split';
  depositedBy: string;
}

export async function insertDocuments(db: Db, docs: readonly NewDocument[]): Promise<DocumentRow[]> {
  if (docs.length === 0) return [];
  return db
    .insertInto('documents')
    .values(
      docs.map((d) => ({
        case_id: d.caseId,
        category_id: d.categoryId,
        file_name: d.fileName,
        content_type: d.contentType,
        size_bytes: d.sizeBytes,
        sha256: d.sha256,
        storage_key: d.storageKey,
        page_count: d.pageCount,
        source: d.source,
        deposited_by: d.depositedBy,
      })),
    )
    .returningAll()
    .execute();
}

/** A client takes a piece back until staff reviewed it; returns what was removed. */
export async function withdrawDocument(db: Db, caseId: string, documentId: string): Promise<DocumentRow | undefined> {
  return db
    .deleteFrom('documents')
    .where('id', '=', documentId)
    .where('case_id', '=', caseId)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

export type Review =
  | { outcome: 'validated'; pieceCode: string | null; comment: string | null }
  | { outcome: 'rejected'; reason: string; comment: string | null };

/** Records a review once: a document already reviewed (or withdrawn) is not changed. */
export async function reviewDocument(
  db: Db,
  caseId: string,
  documentId: string,
  staffId: string,
  review: Review,
): Promise<DocumentRow | undefined> {
  return db
    .updateTable('documents')
    .set({
      status: review.outcome,
      reviewed_by: staffId,
      reviewed_at: new Date(),
      piece_code: review.outcome === 'validated' ? review.pieceCode : null,
      rejection_reason: review.outcome === 'rejected' ? review.reason : null,
      review_comment: review.comment,
    })
    .where('id', '=', documentId)
    .where('case_id', '=', caseId)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

export async function addCaseComment(
  db: Db,
  caseId: string,
  authorId: string,
  body: string,
): Promise<{ id: string; created_at: Date }> {
  return db
    .insertInto('case_comments')
    .values({ case_id: caseId, author_account_id: authorId, body })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
}

/** The last comment of the case, or of one author only (a contributor reads only their own). */
export async function lastCaseComment(
  db: Db,
  caseId: string,
  authorId?: string,
): Promise<{ body: string; created_at: Date } | undefined> {
  let q = db.selectFrom('case_comments').select(['body', 'created_at']).where('case_id', '=', caseId);
  if (authorId) q = q.where('author_account_id', '=', authorId);
  return q.orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

export async function setCaseStatus(db: Db, caseId: string, status: CaseStatus): Promise<boolean> {
  const now = new Date();
  const result = await db
    .updateTable('cases')
    .set({
      status,
      ...(status === 'complete' ? { completed_at: now } : {}),
      ...(status === 'closed' ? { closed_at: now, retention_warned_at: null } : {}),
    })
    .where('id', '=', caseId)
    .where('status', '!=', status)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Everything a page or an activity needs to know about a case's collection. */
export async function caseProgress(
  db: Db,
  kase: Case,
): Promise<{ template: DocumentTemplate; states: CategoryState[] }> {
  const [template, categories, documents] = await Promise.all([
    db.selectFrom('document_templates').selectAll().where('id', '=', kase.template_id).executeTakeFirstOrThrow(),
    templateCategories(db, kase.template_id),
    caseDocuments(db, kase.id),
  ]);
  return { template, states: categoryStates(categories, documents, kase.facts) };
}

/** Open cases whose collection workflow was never started (created outside Guichet's routes). */
export async function casesWithoutCollection(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom('cases')
    .select('id')
    .where('status', '=', 'open')
    .where('collection_started_at', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}

export async function markCollectionStarted(db: Db, caseId: string): Promise<void> {
  await db
    .updateTable('cases')
    .set({ collection_started_at: new Date() })
    .where('id', '=', caseId)
    .where('collection_started_at', 'is', null)
    .execute();
}
