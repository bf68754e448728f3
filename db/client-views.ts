// The confidential view of a client's space (seed 004: "les responsables de services disposent
// d'un accès confidentiel et soumis aux règles du RGPD"). A head of service gives a reason and gets
// a read-only look at the space, as the client sees it, for a bounded time. Every view and every
// page it shows is in the audit log; the client record lists the views.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { Account } from './database.js';
import { audit } from './audit.js';

export const VIEW_START_ACTION = 'client.view.start';
export const VIEW_PAGE_ACTION = 'client.view.page';
export const VIEW_END_ACTION = 'client.view.end';
export const VIEW_MINUTES = 15;
export const REASON_MIN = 10;
export const REASON_MAX = 500;

/** Who may open the view: administrators and heads of service (staff role "manager"). */
export function mayViewClientSpaces(staff: Account): boolean {
  return staff.kind === 'staff' && (staff.is_admin || staff.staff_role === 'manager' || staff.staff_role === 'admin');
}

export interface LiveClientView {
  id: string;
  /** The head of service who opened it (the only one it works for). */
  staffId: string;
  client: Account;
  reason: string;
  expiresAt: Date;
}

export async function startClientView(
  db: Db,
  input: { tokenDigest: string; staff: Account; clientId: string; reason: string; ip: string | null },
): Promise<{ id: string; expiresAt: Date }> {
  return db.transaction().execute(async (tx) => {
    // One live view per staff member: a new one ends the previous.
    await tx
      .updateTable('client_views')
      .set({ ended_at: new Date() })
      .where('staff_account_id', '=', input.staff.id)
      .where('ended_at', 'is', null)
      .execute();
    const row = await tx
      .insertInto('client_views')
      .values({
        token_digest: input.tokenDigest,
        staff_account_id: input.staff.id,
        client_account_id: input.clientId,
        reason: input.reason,
        ip: input.ip,
        expires_at: sql<Date>`now() + make_interval(mins => ${VIEW_MINUTES})`,
      })
      .returning(['id', 'expires_at'])
      .executeTakeFirstOrThrow();
    await audit(tx, {
      actorAccountId: input.staff.id,
      actorKind: 'staff',
      action: VIEW_START_ACTION,
      subjectType: 'account',
      subjectId: input.clientId,
      ip: input.ip,
      details: { viewId: row.id, reason: input.reason },
    });
    return { id: row.id, expiresAt: row.expires_at };
  });
}

/** The live view behind a cookie, only for the staff member who opened it. */
export async function findLiveView(db: Db, tokenDigest: string, staffId: string): Promise<LiveClientView | undefined> {
  const row = await db
    .selectFrom('client_views as v')
    .innerJoin('accounts as c', 'c.id', 'v.client_account_id')
    .selectAll('c')
    .select(['v.id as view_id', 'v.reason', 'v.expires_at'])
    .where('v.token_digest', '=', tokenDigest)
    .where('v.staff_account_id', '=', staffId)
    .where('v.ended_at', 'is', null)
    .where('v.expires_at', '>', sql<Date>`now()`)
    .where('c.kind', '=', 'client')
    .executeTakeFirst();
  if (!row) return undefined;
  const { view_id, reason, expires_at, ...client } = row;
  return { id: view_id, staffId, client, reason, expiresAt: expires_at };
}

/** A page the view showed: counted on the view, and in the audit log with its path. */
export async function recordViewPage(db: Db, view: LiveClientView, path: string, ip: string | null): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable('client_views')
      .set({ pages: sql<number>`pages + 1` })
      .where('id', '=', view.id)
      .execute();
    await audit(tx, {
      actorAccountId: view.staffId,
      actorKind: 'staff',
      action: VIEW_PAGE_ACTION,
      subjectType: 'account',
      subjectId: view.client.id,
      ip,
      details: { viewId: view.id, path },
    });
  });
}

export async function endClientView(
  db: Db,
  viewId: string,
  staffId: string,
  ip: string | null,
): Promise<{ clientId: string } | undefined> {
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('client_views')
      .set({ ended_at: new Date() })
      .where('id', '=', viewId)
      .where('staff_account_id', '=', staffId)
      .where('ended_at', 'is', null)
      .returning(['client_account_id'])
      .executeTakeFirst();
    if (!row) return undefined;
    await audit(tx, {
      actorAccountId: staffId,
      actorKind: 'staff',
      action: VIEW_END_ACTION,
      subjectType: 'account',
      subjectId: row.client_account_id,
      ip,
      details: { viewId },
    });
    return { clientId: row.client_account_id };
  });
}

export interface ClientViewEntry {
  staffName: string;
  reason: string;
  startedAt: Date;
  pages: number;
}

/** The views of a client's space, newest first. */
export async function listClientViews(db: Db, clientId: string, limit = 20): Promise<ClientViewEntry[]> {
  const rows = await db
    .selectFrom('client_views as v')
    .innerJoin('accounts as s', 's.id', 'v.staff_account_id')
    .select(['s.full_name', 'v.reason', 'v.started_at', 'v.pages'])
    .where('v.client_account_id', '=', clientId)
    .orderBy('v.started_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ staffName: r.full_name, reason: r.reason, startedAt: r.started_at, pages: r.pages }));
}
