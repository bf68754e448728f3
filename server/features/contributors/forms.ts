// The contributors feature's forms (zod, server/forms.ts): a person added to a case (by staff, or
// invited by the main client) and the permissions per contributor role on the procedure editor.
// The roles a form accepts are the case's procedure's: these schemas are built per request.
import { z } from 'zod';
import type { RolePermissions } from '../../../domain/contributor-access.js';
import { isEmail } from '../../../domain/validation.js';
import type { Messages } from '../../../i18n/index.js';
import { text, typedForm } from '../../forms.js';

/** The role value that grants occasional access (staff only). */
export const OCCASIONAL = 'occasional';
/** The longest name a person is given. */
export const NAME_MAX = 200;

export const PERSON_FIELDS = ['name', 'email', 'role', 'notify'] as const;

/** The add form as typed, to show it again: the e-mail trimmed, the box ticked or not. */
export interface PersonForm {
  name?: string;
  email?: string;
  role?: string;
  notify?: boolean;
}

/** A person the form accepts. */
export interface ValidPerson {
  name: string;
  email: string;
  kind: 'contributor' | 'occasional';
  role: string | null;
  notify: boolean;
}

export function typedPerson(body: unknown): PersonForm {
  const form = typedForm(body, PERSON_FIELDS);
  return { name: form.name, email: form.email.trim(), role: form.role, notify: form.notify === '1' };
}

/**
 * The add form: a name (trimmed, 200 characters at most), an e-mail address, one of the roles
 * allowed (or occasional access where allowed), and whether the invitation goes at once. Every
 * problem is listed, in this order.
 */
export function personSchema(
  t: Messages,
  allowedRoles: readonly string[],
  occasionalAllowed: boolean,
): z.ZodType<ValidPerson> {
  const occasional = (role: string) => occasionalAllowed && role === OCCASIONAL;
  return z
    .object({
      name: text.pipe(z.string().trim().min(1, t.contributors.nameRequired).max(NAME_MAX, t.contributors.nameTooLong)),
      email: text.pipe(z.string().trim().refine(isEmail, t.errors.emailInvalid)),
      role: text.refine((role) => occasional(role) || allowedRoles.includes(role), t.contributors.roleInvalid),
      notify: text.transform((value) => value === '1'),
    })
    .transform((v): ValidPerson => ({
      name: v.name,
      email: v.email,
      kind: occasional(v.role) ? 'occasional' : 'contributor',
      role: occasional(v.role) ? null : v.role,
      notify: v.notify,
    }));
}

export const PERMISSION_KEYS = ['view', 'deposit', 'message', 'seeAll'] as const satisfies ReadonlyArray<
  keyof RolePermissions
>;
export type PermissionKey = (typeof PERMISSION_KEYS)[number];

/** The checkbox of one permission of one role. */
export function permissionField(roleCode: string, key: PermissionKey): string {
  return `${roleCode}-${key}`;
}

export interface RolePermissionsForm {
  /** Per contributor role's code: what it may do (nothing without `view`). */
  permissions: Record<string, Record<PermissionKey, boolean>>;
  /** Whether the main client may invite contributors. */
  invitable: boolean;
}

/** The permissions per contributor role: boxes ticked ('1') or not; a role that may not view gets nothing. */
export function rolePermissionsSchema(roleCodes: readonly string[]): z.ZodType<RolePermissionsForm> {
  const names = [...roleCodes.flatMap((code) => PERMISSION_KEYS.map((k) => permissionField(code, k))), 'invitable'];
  return z.object(Object.fromEntries(names.map((name) => [name, text]))).transform((values) => {
    const checked = (name: string) => values[name] === '1';
    const permissions = Object.fromEntries(
      roleCodes.map((code) => {
        const view = checked(permissionField(code, 'view'));
        return [code, Object.fromEntries(PERMISSION_KEYS.map((k) => [k, view && checked(permissionField(code, k))]))];
      }),
    ) as RolePermissionsForm['permissions'];
    return { permissions, invitable: checked('invitable') };
  });
}
