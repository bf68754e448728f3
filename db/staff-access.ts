// Which spaces a staff member sees. Administrators see every space; everyone else sees the spaces
// listed for them in `staff_spaces` (from their Redmine project memberships, or given by an
// administrator to local staff). Every back-office query filters by this scope: a row of another
// space is simply not found.
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Db } from './connect.js';
import type { Account, Database } from './database.js';

export type StaffScope = { all: true } | { all: false; spaceIds: readonly string[] };

export const EVERY_SPACE: StaffScope = { all: true };

export async function staffScopeOf(db: Db, account: Pick<Account, 'id' | 'is_admin'>): Promise<StaffScope> {
  if (account.is_admin) return EVERY_SPACE;
  const rows = await db.selectFrom('staff_spaces').select('space_id').where('account_id', '=', account.id).execute();
  return { all: false, spaceIds: rows.map((r) => r.space_id) };
}

/** Whether the scope reaches that space. */
export function scopeHasSpace(scope: StaffScope, spaceId: string | null | undefined): boolean {
  if (!spaceId) return scope.all;
  return scope.all || scope.spaceIds.includes(spaceId);
}

/**
 * Restricts a query to rows whose `column` (a space id) is in the scope. With no space at all the
 * query matches nothing (an empty `in ()` is not valid SQL, hence the false literal).
 */
export function whereInScope<TB extends keyof Database, O>(
  query: SelectQueryBuilder<Database, TB, O>,
  column: string,
  scope: StaffScope,
): SelectQueryBuilder<Database, TB, O> {
  if (scope.all) return query;
  if (scope.spaceIds.length === 0) return query.where(sql<boolean>`false`);
  return query.where(sql<boolean>`${sql.ref(column)} in (${sql.join(scope.spaceIds.map((id) => sql`${id}::uuid`))})`);
}
