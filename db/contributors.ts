// The people a case is shared with, and what an account may do in a case (seed 002): the
// membership and the template are read here, the policy is domain/contributor-access.ts.
// Every route of a client case asks caseAccessFor; a case or file outside it is "not found".
import type { Db } from './connect.js';
import type { Case, CaseMember, DocumentRow, DocumentTemplate } from './database.js';
import { caseProgress, findCase, templateCategories, caseDocuments, type CategoryState } from './documents.js';
import {
  memberGrant,
  needsRoles,
  OWNER_GRANT,
  visibleCollection,
  type AccessGrant,
  type CaseMemberKind,
} from '../domain/contributor-access.js';
import { categoryStates } from '../domain/pieces.js';
import { newToken, tokenDigest } from '../domain/tokens.js';

/** What an account may do in a case (the policy's grant), with the case. */
export interface CaseAccess extends AccessGrant {
  kase: Case;
  accountId: string;
}

/** What an account may do in a case, or undefined: then the case does not exist for them. */
export async function caseAccessFor(db: Db, accountId: string, caseId: string): Promise<CaseAccess | undefined> {
  const kase = await findCase(db, caseId);
  if (!kase) return undefined;
  if (kase.client_account_id === accountId) return { kase, accountId, ...OWNER_GRANT };
  const member = await db
    .selectFrom('case_members')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('account_id', '=', accountId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!member) return undefined;
  const template = needsRoles(member)
    ? await db
        .selectFrom('document_templates')
        .select('roles')
        .where('id', '=', kase.template_id)
        .executeTakeFirstOrThrow()
    : undefined;
  const grant = memberGrant(member, template);
  return grant && { kase, accountId, ...grant };
}

/** The categories, pieces and documents this access may see (visibleCollection). */
export async function visibleProgress(
  db: Db,
  access: CaseAccess,
): Promise<{ template: DocumentTemplate; states: CategoryState[] }> {
  if (access.permissions.seeAll) return caseProgress(db, access.kase);
  const [template, categories, documents] = await Promise.all([
    db.selectFrom('document_templates').selectAll().where('id', '=', access.kase.template_id).executeTakeFirstOrThrow(),
    templateCategories(db, access.kase.template_id),
    caseDocuments(db, access.kase.id),
  ]);
  const visible = visibleCollection(access, categories, documents);
  return { template, states: categoryStates(visible.categories, visible.documents, access.kase.facts) };
}

/** A document of the case this access may see, else undefined (a 404 for the route). */
export async function visibleDocument(
  db: Db,
  access: CaseAccess,
  documentId: string,
): Promise<DocumentRow | undefined> {
  const { states } = await visibleProgress(db, access);
  for (const s of states) {
    const doc = s.documents.find((d) => d.id === documentId);
    if (doc) return doc;
  }
  return undefined;
}

// ---- Members ----

export interface MemberView {
  id: string;
  accountId: string;
  kind: CaseMemberKind;
  role: string | null;
  status: CaseMember['status'];
  fullName: string;
  email: string;
  generation: number;
  invitedAt: Date | null;
  invitationExpiresAt: Date | null;
  acceptedAt: Date | null;
}

export async function caseMembers(db: Db, caseId: string): Promise<MemberView[]> {
  const rows = await db
    .selectFrom('case_members')
    .innerJoin('accounts', 'accounts.id', 'case_members.account_id')
    .select([
      'case_members.id',
      'case_members.account_id as accountId',
      'case_members.kind',
      'case_members.role',
      'case_members.status',
      'accounts.full_name as fullName',
      'accounts.email',
      'case_members.generation',
      'case_members.invited_at as invitedAt',
      'case_members.invitation_expires_at as invitationExpiresAt',
      'case_members.accepted_at as acceptedAt',
    ])
    .where('case_members.case_id', '=', caseId)
    .orderBy('case_members.created_at')
    .execute();
  return rows;
}

export async function findMember(db: Db, caseId: string, memberId: string): Promise<CaseMember | undefined> {
  return db
    .selectFrom('case_members')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('id', '=', memberId)
    .executeTakeFirst();
}

export class MemberError extends Error {
  override name = 'MemberError';
  constructor(readonly code: 'is_owner' | 'already_member') {
    super(code);
  }
}

/** Adds a person to a case, or gives a revoked or expired one a new start; not yet invited. */
export async function addCaseMember(
  db: Db,
  m: { caseId: string; accountId: string; kind: CaseMemberKind; role: string | null; invitedBy: string },
): Promise<CaseMember> {
  const kase = await findCase(db, m.caseId);
  if (kase?.client_account_id === m.accountId) throw new MemberError('is_owner');
  const existing = await db
    .selectFrom('case_members')
    .selectAll()
    .where('case_id', '=', m.caseId)
    .where('account_id', '=', m.accountId)
    .executeTakeFirst();
  if (existing && (existing.status === 'invited' || existing.status === 'active'))
    throw new MemberError('already_member');
  if (existing) {
    return db
      .updateTable('case_members')
      .set({
        kind: m.kind,
        role: m.role,
        status: 'invited',
        invited_by: m.invitedBy,
        invited_at: null,
        invitation_expires_at: null,
        accepted_at: null,
        revoked_at: null,
        expired_at: null,
      })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  return db
    .insertInto('case_members')
    .values({ case_id: m.caseId, account_id: m.accountId, kind: m.kind, role: m.role, invited_by: m.invitedBy })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A new invitation: links of the previous one die; returns its generation. Run it in a transaction. */
export async function beginInvitation(tx: Db, memberId: string, expiresAt: Date): Promise<number | undefined> {
  const row = await tx
    .updateTable('case_members')
    .set((eb) => ({
      generation: eb('generation', '+', 1),
      status: 'invited',
      invited_at: new Date(),
      invitation_expires_at: expiresAt,
      expired_at: null,
      revoked_at: null,
    }))
    .where('id', '=', memberId)
    .where('status', 'in', ['invited', 'expired'])
    .returning('generation')
    .executeTakeFirst();
  if (!row) return undefined;
  await tx.deleteFrom('case_member_tokens').where('member_id', '=', memberId).execute();
  return row.generation;
}

/** A link for this invitation (only its hash is kept), unless the invitation is no longer open. */
export async function issueInvitationToken(db: Db, memberId: string, generation: number): Promise<string | undefined> {
  const member = await db
    .selectFrom('case_members')
    .select(['status', 'generation'])
    .where('id', '=', memberId)
    .executeTakeFirst();
  if (member?.status !== 'invited' || member.generation !== generation) return undefined;
  const token = newToken();
  await db
    .insertInto('case_member_tokens')
    .values({ token_hash: tokenDigest(token), member_id: memberId, generation })
    .execute();
  return token;
}

/** The open invitation a link belongs to, or undefined (unknown, used, expired, revoked). */
export async function findInvitation(db: Db, token: string, now = new Date()): Promise<CaseMember | undefined> {
  if (token.length < 20 || token.length > 100) return undefined;
  const row = await db
    .selectFrom('case_member_tokens')
    .innerJoin('case_members', 'case_members.id', 'case_member_tokens.member_id')
    .selectAll('case_members')
    .where('case_member_tokens.token_hash', '=', tokenDigest(token))
    .whereRef('case_member_tokens.generation', '=', 'case_members.generation')
    .executeTakeFirst();
  if (!row || row.status !== 'invited') return undefined;
  if (!row.invitation_expires_at || row.invitation_expires_at <= now) return undefined;
  return row;
}

/** Accepts once (run it in a transaction): the member becomes active and every link of the invitation dies. */
export async function acceptInvitation(tx: Db, token: string): Promise<CaseMember | undefined> {
  const member = await findInvitation(tx, token);
  if (!member) return undefined;
  const updated = await tx
    .updateTable('case_members')
    .set({ status: 'active', accepted_at: new Date() })
    .where('id', '=', member.id)
    .where('status', '=', 'invited')
    .where('generation', '=', member.generation)
    .returningAll()
    .executeTakeFirst();
  await tx.deleteFrom('case_member_tokens').where('member_id', '=', member.id).execute();
  return updated;
}

export async function revokeMember(tx: Db, memberId: string): Promise<CaseMember | undefined> {
  const row = await tx
    .updateTable('case_members')
    .set({ status: 'revoked', revoked_at: new Date() })
    .where('id', '=', memberId)
    .where('status', 'in', ['invited', 'active'])
    .returningAll()
    .executeTakeFirst();
  await tx.deleteFrom('case_member_tokens').where('member_id', '=', memberId).execute();
  return row;
}

/** The invitation of this generation expires, unless accepted, revoked or re-sent meanwhile. */
export async function expireInvitation(db: Db, memberId: string, generation: number): Promise<boolean> {
  const result = await db
    .updateTable('case_members')
    .set({ status: 'expired', expired_at: new Date() })
    .where('id', '=', memberId)
    .where('generation', '=', generation)
    .where('status', '=', 'invited')
    .executeTakeFirst();
  await db
    .deleteFrom('case_member_tokens')
    .where('member_id', '=', memberId)
    .where('generation', '=', generation)
    .execute();
  if (Number(result.numUpdatedRows) > 0) return true;
  // A retried activity: it expired on the first try.
  const row = await db
    .selectFrom('case_members')
    .select(['status', 'generation'])
    .where('id', '=', memberId)
    .executeTakeFirst();
  return row?.status === 'expired' && row.generation === generation;
}

/** Cases shared with an account (active membership): part of their case list. */
export function sharedCaseIds(db: Db, accountId: string) {
  return db
    .selectFrom('case_members')
    .select('case_id')
    .where('account_id', '=', accountId)
    .where('status', '=', 'active');
}
