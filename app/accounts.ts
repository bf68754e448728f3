import type { Db } from '../db/connect.js';
import type { Account, AccountKind } from '../db/database.js';
import { findAccountByEmail, promotePendingPassword, recordLogin, setPendingPassword } from '../db/accounts.js';
import { audit } from '../db/audit.js';
import { endAccountSessions } from '../db/sessions.js';
import { enqueueNotification } from '../db/notifications.js';
import { renderTemplate } from '../db/templates.js';
import { DUMMY_HASH, generatePassword, hashPassword, verifyPassword } from '../domain/passwords.js';
import { newToken } from '../domain/tokens.js';
import type { WorkflowGateway } from './workflow-gateway.js';

const PENDING_PASSWORD_DAYS = 7;

/** The account if the e-mail and password match (the current or a not-yet-used new one). */
export async function authenticate(
  db: Db,
  kind: AccountKind,
  email: string,
  password: string,
  ip: string,
): Promise<Account | undefined> {
  const account = await findAccountByEmail(db, kind, email);
  if (!account || account.disabled_at) {
    await verifyPassword(password, DUMMY_HASH); // same time whether or not the account exists
    return undefined;
  }
  let ok = await verifyPassword(password, account.password_hash);
  if (
    !ok &&
    account.pending_password_hash &&
    account.pending_password_expires_at &&
    account.pending_password_expires_at > new Date()
  ) {
    ok = await verifyPassword(password, account.pending_password_hash);
    if (ok) await promotePendingPassword(db, account.id);
  }
  await audit(db, {
    actorAccountId: account.id,
    actorKind: kind,
    action: ok ? 'login.success' : 'login.failure',
    subjectType: 'account',
    subjectId: account.id,
    ip,
  });
  if (!ok) return undefined;
  await recordLogin(db, account.id);
  return account;
}

/** Sends a generated password to a known client e-mail; says nothing about unknown ones. */
export async function requestPassword(
  db: Db,
  workflows: WorkflowGateway,
  options: { email: string; ip: string; loginUrl: string },
): Promise<void> {
  const account = await findAccountByEmail(db, 'client', options.email);
  // The same work whether the address is known or not (the password, its hash, the e-mail), so
  // that the answer's time says nothing; the route pads what is left (PASSWORD_REQUEST_MIN_MS).
  const password = generatePassword();
  const hash = await hashPassword(password);
  const mail = await renderTemplate(db, 'password', account?.locale ?? 'fr', {
    clientFullName: account?.full_name ?? '',
    password,
    loginUrl: options.loginUrl,
  });
  if (!account || account.disabled_at) {
    await audit(db, { actorAccountId: null, actorKind: 'system', action: 'password.request.unknown', ip: options.ip });
    return;
  }
  const key = `password:${account.id}:${newToken().slice(0, 12)}`;
  await db.transaction().execute(async (tx) => {
    // Before the first password there is nothing to keep: the new one is the password at once.
    if (account.password_hash) {
      await setPendingPassword(tx, account.id, hash, new Date(Date.now() + PENDING_PASSWORD_DAYS * 86_400_000));
    } else {
      await tx
        .updateTable('accounts')
        .set({ password_hash: hash, password_changed_at: new Date() })
        .where('id', '=', account.id)
        .execute();
      // A first password: no session should exist, and none made before it survives it.
      await endAccountSessions(tx, account.id);
    }
    const notification = await enqueueNotification(tx, {
      idempotencyKey: key,
      recipient: account.email,
      subject: mail.subject,
      bodyText: mail.text,
      sensitive: true,
    });
    await audit(tx, {
      actorAccountId: account.id,
      actorKind: 'client',
      action: 'password.request',
      subjectType: 'account',
      subjectId: account.id,
      ip: options.ip,
    });
    await workflows.deliverNotification(key, notification.id);
  });
}
