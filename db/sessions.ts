import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { Account, AccountKind } from './database.js';

export interface SessionWithAccount {
  sessionId: string;
  lastSeenAt: Date;
  account: Account;
}

export async function createSession(
  db: Db,
  session: { id: string; accountId: string; kind: AccountKind; ip: string | null; userAgent: string | null },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: session.id,
      account_id: session.accountId,
      kind: session.kind,
      last_seen_at: new Date(),
      ip: session.ip,
      user_agent: session.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
}

/** How long a session lives: without a request (idle), and at most from its sign-in (absolute). */
export interface SessionLimits {
  idleMinutes: number;
  maxHours: number;
}

/** The live session `id` with its account, as a query not yet run: the session was seen within
 * the idle limit, began within the absolute limit, and the account is active. Its rows are the
 * account's columns plus `session_id` and `session_last_seen_at`. Used alone by
 * findLiveSession, and inside a page's own query by the routes that check the session in the
 * same round trip as their data (listClientConversationsOfSession). */
export function liveSessionQuery(db: Db, id: string, kind: AccountKind, limits: SessionLimits) {
  return (
    db
      .selectFrom('sessions')
      .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
      .selectAll('accounts')
      .select(['sessions.id as session_id', 'sessions.last_seen_at as session_last_seen_at'])
      .where('sessions.id', '=', id)
      .where('sessions.kind', '=', kind)
      .where('accounts.disabled_at', 'is', null)
      .where('sessions.last_seen_at', '>', sql<Date>`now() - make_interval(mins => ${limits.idleMinutes})`)
      // Activity does not stretch a session forever: a stolen cookie kept busy still ends.
      .where('sessions.created_at', '>', sql<Date>`now() - make_interval(hours => ${limits.maxHours})`)
  );
}

/** The row of liveSessionQuery split into the session and its account. */
export function sessionOfRow(row: Account & { session_id: string; session_last_seen_at: Date }): SessionWithAccount {
  const { session_id, session_last_seen_at, ...account } = row;
  return { sessionId: session_id, lastSeenAt: session_last_seen_at, account };
}

/** The session and its account if it was seen within the idle limit, began within the absolute
 * limit, and the account is active. */
export async function findLiveSession(
  db: Db,
  id: string,
  kind: AccountKind,
  limits: SessionLimits,
): Promise<SessionWithAccount | undefined> {
  const row = await liveSessionQuery(db, id, kind, limits).executeTakeFirst();
  return row ? sessionOfRow(row) : undefined;
}

export async function touchSession(db: Db, id: string): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: new Date() }).where('id', '=', id).execute();
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

/** Deletes the rows of sessions that ended by themselves (idle or past their absolute limit):
 * findLiveSession refuses them already; this keeps the table to the live ones. */
export async function deleteIdleSessions(db: Db, limits: SessionLimits): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([
        eb('last_seen_at', '<=', sql<Date>`now() - make_interval(mins => ${limits.idleMinutes})`),
        eb('created_at', '<=', sql<Date>`now() - make_interval(hours => ${limits.maxHours})`),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Ends every session of an account (a new password, a staff member locked or removed), except
 * the one given (the session that changed the password). Returns how many ended.
 */
export async function endAccountSessions(
  db: Db,
  accountId: string,
  options: { except?: string } = {},
): Promise<number> {
  let query = db.deleteFrom('sessions').where('account_id', '=', accountId);
  if (options.except) query = query.where('id', '!=', options.except);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
