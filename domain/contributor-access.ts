// Who may do what in a case (seed 002): the main client (the case's owner) may do everything; a
// contributor sees only their role's pieces and their own documents, as their role's permissions
// allow; occasional access (seed 003) only reads. Also the invitation's clock (reminders,
// expiry). Pure: db/contributors.ts reads the case, the membership and the template, then asks
// these rules.
import type { BiText } from './pieces.js';

/** What a role may do in a case (seed 002); the main client may always do everything. */
export interface RolePermissions {
  view: boolean;
  deposit: boolean;
  /** Write comments to staff. */
  message: boolean;
  /** See the case's other documents, not only their role's. */
  seeAll: boolean;
}

export interface TemplateRole extends BiText {
  code: string;
  permissions?: RolePermissions;
}

export type CaseMemberKind = 'contributor' | 'occasional';

export const OWNER_PERMISSIONS: RolePermissions = { view: true, deposit: true, message: true, seeAll: true };
/** A role without stored permissions: deposits and sees its own pieces. */
export const CONTRIBUTOR_DEFAULTS: RolePermissions = { view: true, deposit: true, message: false, seeAll: false };
/** Occasional access reads the case's files and nothing else. */
export const OCCASIONAL_PERMISSIONS: RolePermissions = { view: true, deposit: false, message: false, seeAll: true };

export type CaseAccessKind = 'owner' | 'contributor' | 'occasional';

/** What an account is granted in a case. */
export interface AccessGrant {
  kind: CaseAccessKind;
  memberId: string | null;
  /** The contributor's role; null for the owner and occasional access. */
  role: string | null;
  permissions: RolePermissions;
}

/** What the main client of a case is granted: everything. */
export const OWNER_GRANT: AccessGrant = { kind: 'owner', memberId: null, role: null, permissions: OWNER_PERMISSIONS };

/** The main role of a template is its first one (the tenant, the borrower). */
export function mainRole(template: { roles: TemplateRole[] }): TemplateRole | undefined {
  return template.roles[0];
}

/** The roles a contributor may be invited as: every role but the main client's. */
export function contributorRoles(template: { roles: TemplateRole[] }): TemplateRole[] {
  return template.roles.slice(1);
}

export function rolePermissions(template: { roles: TemplateRole[] }, role: string): RolePermissions {
  return template.roles.find((r) => r.code === role)?.permissions ?? CONTRIBUTOR_DEFAULTS;
}

/** Whether the template's roles must be read to decide a member's access (a contributor's). */
export function needsRoles(member: { kind: CaseMemberKind }): boolean {
  return member.kind !== 'occasional';
}

/**
 * What an active member of a case is granted, or undefined: then the case does not exist for
 * them. `template` gives the roles of a contributor's case (see needsRoles).
 */
export function memberGrant(
  member: { id: string; kind: CaseMemberKind; role: string | null },
  template: { roles: TemplateRole[] } | undefined,
): AccessGrant | undefined {
  if (member.kind === 'occasional')
    return { kind: 'occasional', memberId: member.id, role: null, permissions: OCCASIONAL_PERMISSIONS };
  const permissions = rolePermissions(template ?? { roles: [] }, member.role ?? '');
  if (!permissions.view) return undefined;
  return { kind: 'contributor', memberId: member.id, role: member.role, permissions };
}

/** The categories and documents an access may see: a contributor without `seeAll` sees the
 * categories asking something of their role, only those pieces, only their own files. */
export function visibleCollection<C extends { pieces: { role: string }[] }, D extends { deposited_by: string | null }>(
  access: { accountId: string; role: string | null; permissions: RolePermissions },
  categories: readonly C[],
  documents: readonly D[],
): { categories: C[]; documents: D[] } {
  if (access.permissions.seeAll) return { categories: [...categories], documents: [...documents] };
  const mine = categories
    .map((c) => ({ ...c, pieces: c.pieces.filter((p) => p.role === access.role) }))
    .filter((c) => c.pieces.length > 0);
  const own = documents.filter((d) => d.deposited_by === access.accountId);
  return { categories: mine, documents: own };
}

/** The owner withdraws any pending piece; a contributor only their own. */
export function mayWithdraw(
  access: { kind: CaseAccessKind; accountId: string; permissions: RolePermissions },
  doc: { deposited_by: string | null },
): boolean {
  return access.permissions.deposit && (access.kind === 'owner' || doc.deposited_by === access.accountId);
}

// ---- Invitations ----

export interface InvitationPolicy {
  reminderDays: number[];
  expiryDays: number;
}

/** The invitation's clock from the configuration: reminder days (comma-separated, positive
 * integers; anything else is dropped) and the days before the link expires. */
export function invitationPolicy(config: {
  CONTRIBUTOR_INVITATION_DAYS: number;
  CONTRIBUTOR_REMINDER_DAYS: string;
}): InvitationPolicy {
  const reminderDays = config.CONTRIBUTOR_REMINDER_DAYS.split(',')
    .map((d) => Number.parseInt(d.trim(), 10))
    .filter((d) => Number.isInteger(d) && d > 0);
  return { reminderDays, expiryDays: config.CONTRIBUTOR_INVITATION_DAYS };
}

/** When an invitation sent at `now` expires. */
export function invitationExpiresAt(policy: InvitationPolicy, now: Date): Date {
  return new Date(now.getTime() + policy.expiryDays * 86_400_000);
}
