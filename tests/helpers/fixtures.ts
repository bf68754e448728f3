// Accounts and spaces made for one test, with unique e-mails so tests never share data.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/connect.js';
import type { Account, Space } from '../../db/database.js';
import { addClientToSpace, createAccount } from '../../db/accounts.js';
import { hashPassword } from '../../domain/passwords.js';

export function uniqueEmail(prefix: string): string {
  return `${prefix}.${randomBytes(4).toString('hex')}@example.test`;
}

export async function createSpace(db: Db, name = 'Gestion locative'): Promise<Space> {
  return db
    .insertInto('spaces')
    .values({ slug: `space-${randomBytes(4).toString('hex')}`, name })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function createClient(
  db: Db,
  options: { space?: Space; password?: string | null; name?: string; locale?: 'fr' | 'en' } = {},
): Promise<{ account: Account; password: string }> {
  const password = options.password ?? 'test-pass-word';
  const account = await createAccount(db, {
    kind: 'client',
    email: uniqueEmail('client'),
    full_name: options.name ?? 'Camille Client',
    staff_role: null,
    locale: options.locale ?? 'fr',
    password_hash: options.password === null ? null : await hashPassword(password),
    pending_password_hash: null,
    pending_password_expires_at: null,
    password_changed_at: null,
    last_login_at: null,
    disabled_at: null,
  });
  if (options.space) await addClientToSpace(db, options.space.id, account.id);
  return { account, password };
}

/**
 * A staff member. `spaces`: the spaces they are given (staff_spaces rows, source `local`), or
 * 'all' for every space that exists now; an administrator sees every space whatever the rows.
 */
export async function createStaff(
  db: Db,
  options: {
    name?: string;
    admin?: boolean;
    role?: 'agent' | 'manager';
    spaces?: ReadonlyArray<string | Pick<Space, 'id'>> | 'all';
  } = {},
): Promise<{ account: Account; password: string }> {
  const password = 'staff-pass-word';
  const account = await createAccount(db, {
    kind: 'staff',
    email: uniqueEmail('staff'),
    full_name: options.name ?? 'Sam Staff',
    staff_role: options.role ?? 'agent',
    is_admin: options.admin ?? false,
    password_hash: await hashPassword(password),
    pending_password_hash: null,
    pending_password_expires_at: null,
    password_changed_at: null,
    last_login_at: null,
    disabled_at: null,
  });
  const wanted =
    options.spaces === 'all'
      ? (await db.selectFrom('spaces').select('id').execute()).map((s) => s.id)
      : (options.spaces ?? []).map((s) => (typeof s === 'string' ? s : s.id));
  if (wanted.length > 0) {
    await db
      .insertInto('staff_spaces')
      .values(wanted.map((spaceId) => ({ account_id: account.id, space_id: spaceId, source: 'local' as const })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return { account, password };
}

/** Gives an existing staff member more spaces (staff_spaces rows, source `local`). */
export async function giveSpaces(
  db: Db,
  account: Pick<Account, 'id'>,
  spaces: ReadonlyArray<Pick<Space, 'id'>>,
): Promise<void> {
  if (spaces.length === 0) return;
  await db
    .insertInto('staff_spaces')
    .values(spaces.map((s) => ({ account_id: account.id, space_id: s.id, source: 'local' as const })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}
