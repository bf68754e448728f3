// Who may see a case and what they may do there (seed 002): the main client (the case's
// client_account_id) may do everything; a contributor sees only their role's pieces and their
// own documents, as their role's permissions allow; occasional access (seed 003) only reads.
// Every route of a client case asks caseAccessFor; a case or file outside it is "not found".
import type { Db } from './connect.js';
import type {
  Case,
  CaseMember,
  CaseMemberKind,
  DocumentRow,
  DocumentTemplate,
  RolePermissions,
  TemplateRole,
} from './database.js';
import {
  caseProgress,
  categoryStates,
  findCase,
  templateCategories,
  caseDocuments,
  type CategoryState,
} from './documents.js';
import { newToken, tokenDigest } from '../domain/tokens.js';

export const OWNER_PERMISSIONS: RolePermissions = { view: true, deposit: true, message: true, seeAll: true };
/** A role without stored permissions: deposits and sees its own pieces. */
export const CONTRIBUTOR_DEFAULTS: RolePermissions = { view: true, deposit: true, message: false, seeAll: false };
/** Occasional access reads the case's files and nothing else. */
export const OCCASIONAL_PERMISSIONS: RolePermissions = { view: true, deposit: false, message: false, seeAll: true };

export type CaseAccessKind = 'owner' | 'contributor' | 'occasional';

export interface CaseAccess {
  kase: Case;
  accountId: string;
  kind: CaseAccessKind;
  memberId: string | null;
  /** The contributor's role; null for the owner and occasional access. */
  role: string | null;
  permissions: RolePermissions;
}

/** The main role of a template is its first one (the tenant, the borrower). */
export function mainRole(template: Pick<DocumentTemplate, 'roles'>): TemplateRole | undefined {
  return template.roles[0];
}

/** The roles a contributor may be invited as: every role but the main client's. */
export function contributorRoles(template: Pick<DocumentTemplate, 'roles'>): TemplateRole[] {
  return template.roles.slice(1);
}

export function rolePermissions(template: Pick<DocumentTemplate, 'roles'>, role: string): RolePermissions {
  return template.roles.find((r) => r.code === role)?.permissions ?? CONTRIBUTOR_DEFAULTS;
}

/** What an account may do in a case, or undefined: then the case does not exist for them. */
export async function caseAccessFor(db: Db, accountId: string, caseId: string): Promise<CaseAccess | undefined> {
  const kase = await findCase(db, caseId);
  if (!kase) return undefined;
  if (kase.client_account_id === accountId)
    return { kase, accountId, kind: 'owner', memberId: null, role: null, permissions: OWNER_PERMISSIONS };
  const member = await db
    .selectFrom('case_members')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('account_id', '=', accountId)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!member) return undefined;
  if (member.kind === 'occasional')
    return {
      kase,
      accountId,
      kind: 'occasional',
      memberId: member.id,
      role: null,
      permissions: OCCASIONAL_PERMISSIONS,
    };
  const template = await db
    .selectFrom('document_templates')
    .select('roles')
    .where('id', '=', kase.template_id)
    .executeTakeFirstOrThrow();
  const permissions = rolePermissions(template, member.role ?? '');
  if (!permissions.view) return undefined;
  return { kase, accountId, kind: 'contributor', memberId: member.id, role: member.role, permissions };
}

/** The categories, pieces and documents this access may see: a contributor without `seeAll`
 * sees the categories asking something of their role, only those pieces, only their own files. */
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
  const mine = categories
    .map((c) => ({ ...c, pieces: c.pieces.filter((p) => p.role === access.role) }))
    .filter((c) => c.pieces.length > 0);
  const own = documents.filter((d) => d.deposited_by === access.accountId);
  return { template, states: categoryStates(mine, own, access.kase.facts) };
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

/** The owner withdraws any pending piece; a contributor only their own. */
export function mayWithdraw(access: CaseAccess, doc: DocumentRow): boolean {
  return access.permissions.deposit && (access.kind === 'owner' || doc.deposited_by === access.accountId);
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
