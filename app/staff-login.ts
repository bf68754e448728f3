// Staff sign in with their Redmine credentials: Redmine checks the password, Guichet keeps a
// local account in step with the Redmine user (name, e-mail, login, administrator flag, spaces)
// and never the password. No second staff directory. Who may sign in is read with the
// integration user's key (staff-access.ts): the credentials only prove who the person is.
import type { Db } from '../db/connect.js';
import type { Account } from '../db/database.js';
import { recordLogin } from '../db/accounts.js';
import { audit } from '../db/audit.js';
import { looksLikeApiKey, type RedmineUser } from '../connectors/redmine/index.js';
import {
  checkRedmineUser,
  grantStaffAccess,
  revokeStaffAccess,
  staffProfile,
  type StaffAccessSettings,
} from './staff-access.js';

export type VerifyCredentials = (login: string, password: string) => Promise<RedmineUser | undefined>;

export type StaffLoginResult =
  { ok: true; account: Account } | { ok: false; reason: 'refused' | 'unavailable' | 'misconfigured' };

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/**
 * The local account of a Redmine user, found by Redmine user id, never by e-mail: any Redmine
 * user may set any address on their Redmine account, and must not thereby take someone's
 * account. Accounts made before the link existed (no Redmine user id) are linked only when
 * their stored login is the user's login: that login was written from Redmine's own answer at an
 * earlier sign-in, Redmine keeps logins unique, and only a Redmine administrator can rename a
 * user. A new account whose e-mail another staff account already holds gets a placeholder
 * address instead. The profile itself is written by grantStaffAccess.
 */
export async function linkStaffAccount(
  db: Db,
  user: RedmineUser,
): Promise<{ account: Account; linked: 'id' | 'legacy-login' | 'created' }> {
  const byId = await db
    .selectFrom('accounts')
    .selectAll()
    .where('kind', '=', 'staff')
    .where('redmine_user_id', '=', user.id)
    .executeTakeFirst();
  if (byId) return { account: byId, linked: 'id' };
  try {
    return await db.transaction().execute(async (tx) => {
      const legacy = await tx
        .selectFrom('accounts')
        .selectAll()
        .where('kind', '=', 'staff')
        .where('redmine_user_id', 'is', null)
        .where('redmine_login', '=', user.login)
        .orderBy('created_at')
        .forUpdate()
        .executeTakeFirst();
      if (legacy) {
        const account = await tx
          .updateTable('accounts')
          .set({ redmine_user_id: user.id })
          .where('id', '=', legacy.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return { account, linked: 'legacy-login' as const };
      }
      const { email, fullName } = staffProfile(user);
      const taken = await tx
        .selectFrom('accounts')
        .select('id')
        .where('kind', '=', 'staff')
        .where('email', '=', email)
        .executeTakeFirst();
      const account = await tx
        .insertInto('accounts')
        .values({
          kind: 'staff',
          email: taken ? `redmine-user-${user.id}@redmine.invalid` : email,
          full_name: fullName,
          staff_role: 'agent',
          is_admin: false,
          redmine_login: user.login,
          redmine_user_id: user.id,
          password_hash: null,
          pending_password_hash: null,
          pending_password_expires_at: null,
          password_changed_at: null,
          last_login_at: null,
          disabled_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { account, linked: 'created' as const };
    });
  } catch (err) {
    // Two first sign-ins at once: the other one created (or linked) the account.
    if (!isUniqueViolation(err)) throw err;
    const account = await db
      .selectFrom('accounts')
      .selectAll()
      .where('kind', '=', 'staff')
      .where('redmine_user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    return { account, linked: 'id' };
  }
}

export async function loginWithRedmine(
  db: Db,
  verify: VerifyCredentials,
  access: StaffAccessSettings | undefined,
  login: string,
  password: string,
  ip: string,
): Promise<StaffLoginResult> {
  const typed = login.trim();
  const refuse = async (
    details: Record<string, unknown>,
    accountId: string | null = null,
  ): Promise<StaffLoginResult> => {
    await audit(db, {
      actorAccountId: accountId,
      actorKind: 'staff',
      action: 'login.failure',
      ip,
      ...(accountId ? { subjectType: 'account', subjectId: accountId } : {}),
      details: { via: 'redmine', ...details },
    });
    return { ok: false, reason: 'refused' };
  };
  // Redmine takes an API key as a Basic-auth user name with any password: never send one.
  if (looksLikeApiKey(typed)) return refuse({ reason: 'api_key_as_login' });
  // Without an administrator's key nobody can be checked: say so before any password is tried.
  if (!access?.adminKey) return { ok: false, reason: 'misconfigured' };
  let user: RedmineUser | undefined;
  try {
    user = await verify(typed, password);
  } catch {
    return { ok: false, reason: 'unavailable' };
  }
  if (!user) return refuse({});
  let checked: Awaited<ReturnType<typeof checkRedmineUser>>;
  try {
    checked = await checkRedmineUser(access, user.id);
  } catch {
    return { ok: false, reason: 'unavailable' };
  }
  const { decision } = checked;
  if (!decision.allowed) {
    // A linked account of someone Redmine no longer lets in loses its sessions now, not at the
    // next scheduled check.
    const linked = await db
      .selectFrom('accounts')
      .select(['id', 'disabled_at'])
      .where('kind', '=', 'staff')
      .where('redmine_user_id', '=', user.id)
      .executeTakeFirst();
    if (linked && !linked.disabled_at) await revokeStaffAccess(db, linked.id, decision.reason, 'login');
    return refuse({ reason: decision.reason, redmineUserId: user.id }, linked?.id ?? null);
  }
  // The administrator's read shows the e-mail even when the user hides it.
  const redmineUser = checked.access?.user ?? user;
  const { account: linkedAccount, linked } = await linkStaffAccount(db, redmineUser);
  await grantStaffAccess(db, access, linkedAccount.id, decision, redmineUser);
  const account = await db
    .selectFrom('accounts')
    .selectAll()
    .where('id', '=', linkedAccount.id)
    .executeTakeFirstOrThrow();
  await audit(db, {
    actorAccountId: account.id,
    actorKind: 'staff',
    action: 'login.success',
    subjectType: 'account',
    subjectId: account.id,
    ip,
    details: { via: 'redmine', redmineUserId: redmineUser.id, ...(linked !== 'id' ? { linked } : {}) },
  });
  await recordLogin(db, account.id);
  return { ok: true, account };
}
