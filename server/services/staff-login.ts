// Staff sign in with their Redmine credentials: Redmine checks the password, Guichet keeps a
// local account in step with the Redmine user (name, e-mail, login, administrator flag) and
// never the password. No second staff directory.
import type { Db } from '../../db/connect.js';
import type { Account } from '../../db/database.js';
import { normalizeEmail, recordLogin } from '../../db/accounts.js';
import { audit } from '../../db/audit.js';
import type { RedmineUser } from '../../connectors/redmine/index.js';
import { isEmail } from '../validation.js';

export type VerifyCredentials = (login: string, password: string) => Promise<RedmineUser | undefined>;

export type StaffLoginResult = { ok: true; account: Account } | { ok: false; reason: 'refused' | 'unavailable' };

/** The local account of a Redmine user: found by Redmine login, else by e-mail; created if none. */
export async function syncStaffAccount(db: Db, user: RedmineUser): Promise<Account> {
  // A Redmine user who hides their e-mail still needs one here (accounts are keyed by it).
  const email = normalizeEmail(user.mail && isEmail(user.mail) ? user.mail : `${user.login}@redmine.invalid`);
  const fullName = `${user.firstName} ${user.lastName}`.trim() || user.login;
  return db.transaction().execute(async (tx) => {
    const existing =
      (await tx.selectFrom('accounts').selectAll().where('kind', '=', 'staff').where('redmine_login', '=', user.login).orderBy('created_at').executeTakeFirst()) ??
      (await tx.selectFrom('accounts').selectAll().where('kind', '=', 'staff').where('email', '=', email).executeTakeFirst());
    if (existing) {
      // Another local account may hold that e-mail already: keep this one's then.
      const clash = await tx.selectFrom('accounts').select('id').where('kind', '=', 'staff').where('email', '=', email).where('id', '!=', existing.id).executeTakeFirst();
      return tx
        .updateTable('accounts')
        .set({ full_name: fullName, redmine_login: user.login, is_admin: user.admin, ...(clash ? {} : { email }) })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    return tx
      .insertInto('accounts')
      .values({
        kind: 'staff',
        email,
        full_name: fullName,
        staff_role: 'agent',
        is_admin: user.admin,
        redmine_login: user.login,
        password_hash: null,
        pending_password_hash: null,
        pending_password_expires_at: null,
        password_changed_at: null,
        last_login_at: null,
        disabled_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export async function loginWithRedmine(db: Db, verify: VerifyCredentials, login: string, password: string, ip: string): Promise<StaffLoginResult> {
  let user: RedmineUser | undefined;
  try {
    user = await verify(login.trim(), password);
  } catch {
    return { ok: false, reason: 'unavailable' };
  }
  if (!user) {
    await audit(db, { actorAccountId: null, actorKind: 'staff', action: 'login.failure', ip, details: { via: 'redmine' } });
    return { ok: false, reason: 'refused' };
  }
  const account = await syncStaffAccount(db, user);
  if (account.disabled_at) {
    await audit(db, { actorAccountId: account.id, actorKind: 'staff', action: 'login.failure', subjectType: 'account', subjectId: account.id, ip, details: { via: 'redmine', disabled: true } });
    return { ok: false, reason: 'refused' };
  }
  await audit(db, { actorAccountId: account.id, actorKind: 'staff', action: 'login.success', subjectType: 'account', subjectId: account.id, ip, details: { via: 'redmine' } });
  await recordLogin(db, account.id);
  return { ok: true, account };
}
