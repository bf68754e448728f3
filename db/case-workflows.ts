// Queries of the case workflows' activities (document collection, contributor invitations): the
// rows they read to write their e-mails and notes. Writes go through db/documents.ts,
// db/contributors.ts and db/notifications.ts.
import type { Db } from './connect.js';
import type { Selectable } from 'kysely';
import type { CaseCommentsTable, CaseMember, DocumentCategory, DocumentRow, DocumentTemplate } from './database.js';

type CaseComment = Selectable<CaseCommentsTable>;

/** The agency's address of a space (null: none set). */
export async function spaceTeamEmail(db: Db, spaceId: string): Promise<string | null> {
  const space = await db.selectFrom('spaces').select('team_email').where('id', '=', spaceId).executeTakeFirstOrThrow();
  return space.team_email;
}

/** The case's template (it always has one). */
export async function templateOfCase(db: Db, templateId: string): Promise<DocumentTemplate> {
  return db.selectFrom('document_templates').selectAll().where('id', '=', templateId).executeTakeFirstOrThrow();
}

/** Documents of the case among these ids, with their category's label, oldest first. */
export async function documentsWithCategory(
  db: Db,
  caseId: string,
  ids: readonly string[],
): Promise<Array<DocumentRow & { categoryLabel: string }>> {
  if (ids.length === 0) return [];
  return db
    .selectFrom('documents')
    .innerJoin('document_categories', 'document_categories.id', 'documents.category_id')
    .selectAll('documents')
    .select(['document_categories.label as categoryLabel'])
    .where('documents.case_id', '=', caseId)
    .where('documents.id', 'in', [...ids])
    .orderBy('documents.created_at')
    .execute();
}

export async function categoryById(db: Db, id: string): Promise<DocumentCategory> {
  return db.selectFrom('document_categories').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

export async function categoriesByIds(db: Db, ids: readonly string[]): Promise<DocumentCategory[]> {
  return db
    .selectFrom('document_categories')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
}

export async function findCaseComment(db: Db, caseId: string, commentId: string): Promise<CaseComment | undefined> {
  return db
    .selectFrom('case_comments')
    .selectAll()
    .where('id', '=', commentId)
    .where('case_id', '=', caseId)
    .executeTakeFirst();
}

/** The case's active contributors (not occasional access). */
export async function activeContributors(db: Db, caseId: string): Promise<Array<{ id: string; account_id: string }>> {
  return db
    .selectFrom('case_members')
    .select(['id', 'account_id'])
    .where('case_id', '=', caseId)
    .where('status', '=', 'active')
    .where('kind', '=', 'contributor')
    .execute();
}

export async function findCaseMemberById(db: Db, memberId: string): Promise<CaseMember | undefined> {
  return db.selectFrom('case_members').selectAll().where('id', '=', memberId).executeTakeFirst();
}
