import { inTransaction, type Db } from './connect.js';
import type { Account, AccountKind, Locale, NewAccount, Space } from './database.js';
import { endAccountSessions } from './sessions.js';

/** Runs `work` in the caller's transaction, or in a new one. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findAccountByEmail(db: Db, kind: AccountKind, email: string): Promise<Account | undefined> {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('kind', '=', kind)
    .where('email', '=', normalizeEmail(email))
    .executeTakeFirst();
}

export async function findAccountById(db: Db, id: string): Promise<Account | undefined> {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function createAccount(db: Db, account: NewAccount): Promise<Account> {
  return db
    .insertInto('accounts')
    .values({ ...account, email: normalizeEmail(account.email) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A new password waits beside the current one until it is used, so a stranger who asks for
 * a new password on someone's behalf locks nobody out. */
export async function setPendingPassword(db: Db, accountId: string, hash: string, expiresAt: Date): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ pending_password_hash: hash, pending_password_expires_at: expiresAt })
    .where('id', '=', accountId)
    .execute();
}

/** The new password becomes the password, and every session opened before it ends (whoever
 * knew the old one is out). Sign-in creates the new session afterwards. */
export async function promotePendingPassword(db: Db, accountId: string): Promise<void> {
  await inTransaction(db, async (tx) => {
    const promoted = await tx
      .updateTable('accounts')
      .set((eb) => ({
        password_hash: eb.ref('pending_password_hash'),
        pending_password_hash: null,
        pending_password_expires_at: null,
        password_changed_at: new Date(),
      }))
      .where('id', '=', accountId)
      .where('pending_password_hash', 'is not', null)
      .executeTakeFirst();
    if (Number(promoted.numUpdatedRows) > 0) await endAccountSessions(tx, accountId);
  });
}

/** A new password; the account's other sessions end (`keepSession`: the one that set it). */
export async function setPassword(
  db: Db,
  accountId: string,
  hash: string,
  options: { keepSession?: string } = {},
): Promise<void> {
  await inTransaction(db, async (tx) => {
    await tx
      .updateTable('accounts')
      .set({
        password_hash: hash,
        pending_password_hash: null,
        pending_password_expires_at: null,
        password_changed_at: new Date(),
      })
      .where('id', '=', accountId)
      .execute();
    await endAccountSessions(tx, accountId, options.keepSession ? { except: options.keepSession } : {});
  });
}

export async function recordLogin(db: Db, accountId: string): Promise<void> {
  await db.updateTable('accounts').set({ last_login_at: new Date() }).where('id', '=', accountId).execute();
}

export async function setLocale(db: Db, accountId: string, locale: Locale): Promise<void> {
  await db.updateTable('accounts').set({ locale }).where('id', '=', accountId).execute();
}

/** The spaces that know a client: where the client may write. */
export async function spacesOfClient(db: Db, accountId: string): Promise<Space[]> {
  return db
    .selectFrom('spaces')
    .innerJoin('space_clients', 'space_clients.space_id', 'spaces.id')
    .selectAll('spaces')
    .where('space_clients.account_id', '=', accountId)
    .orderBy('spaces.name')
    .execute();
}

export async function addClientToSpace(db: Db, spaceId: string, accountId: string): Promise<void> {
  await db
    .insertInto('space_clients')
    .values({ space_id: spaceId, account_id: accountId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** The client account of an e-mail, created (without password: the client asks for one) if new. */
export async function findOrCreateClient(db: Db, email: string, fullName: string): Promise<Account> {
  const normalized = normalizeEmail(email);
  await db
    .insertInto('accounts')
    .values({
      kind: 'client',
      email: normalized,
      full_name: fullName.trim() || (normalized.split('@')[0] ?? normalized),
      staff_role: null,
      password_hash: null,
      pending_password_hash: null,
      pending_password_expires_at: null,
      password_changed_at: null,
      last_login_at: null,
      disabled_at: null,
    })
    .onConflict((oc) => oc.columns(['kind', 'email']).doNothing())
    .execute();
  return db
    .selectFrom('accounts')
    .selectAll()
    .where('kind', '=', 'client')
    .where('email', '=', normalized)
    .executeTakeFirstOrThrow();
}
