// What the case pages show, loaded: the staff's view of a case (everyone it is shared with) and
// the client space's view as one access sees it (a contributor's view names no other contributor).
import type { Db } from '../../../db/connect.js';
import { findAccountById } from '../../../db/accounts.js';
import type { Case } from '../../../db/database.js';
import { caseMembers, visibleProgress, type CaseAccess } from '../../../db/contributors.js';
import { caseProgress, lastCaseComment } from '../../../db/documents.js';
import { loadCaseRecord } from '../../../app/case-record.js';
import type { CaseView } from './pages.js';

export async function staffCaseView(
  db: Db,
  kase: Case,
  locale: 'fr' | 'en',
): Promise<CaseView & { clientEmail: string }> {
  const [{ template, states }, client, comment, members] = await Promise.all([
    caseProgress(db, kase),
    findAccountById(db, kase.client_account_id),
    lastCaseComment(db, kase.id),
    caseMembers(db, kase.id),
  ]);
  return {
    kase,
    clientName: client?.full_name ?? '',
    clientEmail: client?.email ?? '',
    templateName: locale === 'en' ? template.name_en : template.name,
    states,
    lastComment: comment,
    people: { members, roles: template.roles, viewer: 'staff', mayInvite: true },
    record: await loadCaseRecord(db, kase),
  };
}

/** The case as this access sees it: a contributor's view names no other contributor. */
export async function clientCaseView(db: Db, access: CaseAccess, locale: 'fr' | 'en'): Promise<CaseView> {
  const kase = access.kase;
  const [{ template, states }, client, comment] = await Promise.all([
    visibleProgress(db, access),
    findAccountById(db, kase.client_account_id),
    access.permissions.message
      ? lastCaseComment(db, kase.id, access.kind === 'owner' ? undefined : access.accountId)
      : undefined,
  ]);
  const owner = access.kind === 'owner';
  return {
    kase,
    clientName: client?.full_name ?? '',
    templateName: locale === 'en' ? template.name_en : template.name,
    states,
    lastComment: comment,
    access: { kind: access.kind, role: access.role, permissions: access.permissions, accountId: access.accountId },
    // The case record (payment, the files staff publish) is the whole case's: not a contributor's part.
    ...(access.permissions.seeAll ? { record: await loadCaseRecord(db, kase) } : {}),
    ...(owner
      ? {
          people: {
            members: await caseMembers(db, kase.id),
            roles: template.roles,
            viewer: 'owner' as const,
            mayInvite: template.contributors_invitable,
          },
        }
      : {}),
  };
}
