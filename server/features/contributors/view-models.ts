// View models of the contributors' pages: what a page shows of a case, of its procedure's roles
// and of the people it is shared with, in this feature's types. Database rows satisfy the
// structural ones (a case, a role, a member as db/contributors lists it); the functions below map
// the rest, so that the pages never name a database type.
import { contributorRoles, CONTRIBUTOR_DEFAULTS } from '../../../domain/contributor-access.js';
import type { Case, CaseMember, DocumentTemplate } from '../../../db/database.js';
import type { Messages } from '../../../i18n/index.js';
import type { PermissionKey, PersonForm } from './forms.js';

/** What the pages show of a case. */
export interface CaseHeading {
  id: string;
  title: string;
  number: string;
  status: 'open' | 'complete' | 'closed';
}

/** A role of the procedure: its code and names (the first role is the main client's). */
export interface RoleView {
  code: string;
  fr: string;
  en: string;
  permissions?: Record<PermissionKey, boolean> | undefined;
}

/** A person the case is shared with. */
export interface PersonView {
  id: string;
  kind: 'contributor' | 'occasional';
  role: string | null;
  status: 'invited' | 'active' | 'revoked' | 'expired';
  fullName: string;
  email: string;
  /** Invitations sent (0: added, not invited yet). */
  generation: number;
  invitationExpiresAt: Date | null;
}

/** The people of a case, for staff or for the main client. */
export interface PeopleView {
  members: readonly PersonView[];
  roles: readonly RoleView[];
  viewer: 'staff' | 'owner';
  mayInvite: boolean;
}

/** What the people sections read of a case page's view. */
export interface CasePeopleView {
  kase: CaseHeading;
  /** The client-space viewer's access (absent: staff). */
  access?: { kind: 'owner' | 'contributor' | 'occasional'; role: string | null } | undefined;
  people?: PeopleView | undefined;
}

/** The add form's page (staff) or the main client's invitation page. */
export interface PersonFormView {
  kase: CaseHeading;
  roles: readonly RoleView[];
  area: 'staff' | 'owner';
  values: PersonForm;
  errors: string[];
}

/** The page the invitation link opens. */
export interface InvitationView {
  token: string;
  caseTitle: string;
  caseNumber: string;
  role: string;
  occasional: boolean;
  inviterName: string;
  expiresAt: Date;
}

/** The procedure editor's permissions form. */
export interface PermissionsView {
  templateId: string;
  /** The contributor roles (not the main client's), their permissions defaulted. */
  roles: ReadonlyArray<RoleView & { permissions: Record<PermissionKey, boolean> }>;
  invitable: boolean;
}

/** A role's name in the reader's language; no role is occasional access. */
export function roleLabel(
  t: Messages,
  locale: 'fr' | 'en',
  roles: readonly Pick<RoleView, 'code' | 'fr' | 'en'>[],
  code: string | null,
): string {
  if (code === null) return t.contributors.occasional;
  const role = roles.find((r) => r.code === code);
  return role ? (locale === 'en' ? role.en : role.fr) : code;
}

/** The add form's page for this case and procedure. */
export function personFormView(
  kase: Case,
  template: Pick<DocumentTemplate, 'roles'>,
  area: 'staff' | 'owner',
  values: PersonForm,
  errors: string[],
): PersonFormView {
  return { kase, roles: contributorRoles(template), area, values, errors };
}

/** The invitation page of a member, from the case, its procedure and the main client's name. */
export function invitationView(
  t: Messages,
  locale: 'fr' | 'en',
  token: string,
  kase: Case,
  template: Pick<DocumentTemplate, 'roles'>,
  member: Pick<CaseMember, 'kind' | 'role'> & { invitation_expires_at: Date },
  inviterName: string,
): InvitationView {
  const occasional = member.kind === 'occasional';
  return {
    token,
    caseTitle: kase.title,
    caseNumber: kase.number,
    role: roleLabel(t, locale, template.roles, occasional ? null : member.role),
    occasional,
    inviterName,
    expiresAt: member.invitation_expires_at,
  };
}

/** What the permissions form reads of a procedure (a procedure row satisfies it). */
export interface PermissionsSource {
  id: string;
  roles: readonly RoleView[];
  contributors_invitable: boolean;
}

/** The permissions form of a procedure. */
export function permissionsView(template: PermissionsSource): PermissionsView {
  return {
    templateId: template.id,
    // Every role but the main client's (db/contributors.ts contributorRoles).
    roles: template.roles.slice(1).map((r) => ({ ...r, permissions: r.permissions ?? CONTRIBUTOR_DEFAULTS })),
    invitable: template.contributors_invitable,
  };
}
