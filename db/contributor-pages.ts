// Queries of the contributors feature (server/features/contributors): a case's procedure, whose
// roles the pages offer, and the permissions per contributor role an administrator saves.
import type { Db } from './connect.js';
import { audit } from './audit.js';
import type { Case, DocumentTemplate } from './database.js';
import type { TemplateRole } from '../domain/contributor-access.js';

/** The procedure a case follows (it always has one). */
export function caseTemplate(db: Db, kase: Pick<Case, 'template_id'>): Promise<DocumentTemplate> {
  return db.selectFrom('document_templates').selectAll().where('id', '=', kase.template_id).executeTakeFirstOrThrow();
}

/** Saves the roles (with their permissions) and whether the main client invites, audited. */
export async function saveRolePermissions(
  db: Db,
  actor: { accountId: string; ip: string },
  templateId: string,
  roles: readonly TemplateRole[],
  invitable: boolean,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('document_templates')
      .set({ roles: JSON.stringify(roles), contributors_invitable: invitable })
      .where('id', '=', templateId)
      .execute();
    await audit(tx, {
      actorAccountId: actor.accountId,
      actorKind: 'staff',
      action: 'document_template.permissions',
      subjectType: 'document_template',
      subjectId: templateId,
      ip: actor.ip,
      details: { roles: roles.map((r) => ({ code: r.code, permissions: r.permissions ?? null })), invitable },
    });
  });
}
