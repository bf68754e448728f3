// Queries of the Vilogi sync: requests imported (idempotency by Vilogi id), runs, replies.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { VilogiRequestRow, VilogiRun, VilogiRunError } from './database.js';
import { scopeHasSpace, whereInScope, type StaffScope } from './staff-access.js';

export async function findVilogiRequest(db: Db, vilogiId: string): Promise<VilogiRequestRow | undefined> {
  return db.selectFrom('vilogi_requests').selectAll().where('vilogi_id', '=', vilogiId).executeTakeFirst();
}

/** Several requests at once (a page of a run), by Vilogi id; absent ids are not imported yet. */
export async function findVilogiRequests(db: Db, vilogiIds: readonly string[]): Promise<Map<string, VilogiRequestRow>> {
  if (vilogiIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('vilogi_requests')
    .selectAll()
    .where('vilogi_id', 'in', [...vilogiIds])
    .execute();
  return new Map(rows.map((r) => [r.vilogi_id, r]));
}

/** The issue of each of these conversations (null while the conversation workflow has not created
 * it), in one query; a conversation that is gone is absent. */
export async function conversationIssues(
  db: Db,
  conversationIds: readonly string[],
): Promise<Map<string, { id: string; redmine_issue_id: number | null; space_slug: string; origin_in_issue: boolean }>> {
  if (conversationIds.length === 0) return new Map();
  // Whether the issue's description holds the request's origin is read in the same statement as
  // the issue: both are written by the one transaction that links the issue.
  const rows = await db
    .selectFrom('conversations as c')
    .innerJoin('spaces as s', 's.id', 'c.space_id')
    .leftJoin('vilogi_requests as v', 'v.conversation_id', 'c.id')
    .select(['c.id', 'c.redmine_issue_id', 's.slug as space_slug'])
    .select((eb) => eb('v.origin_in_issue_at', 'is not', null).as('origin_in_issue'))
    .where('c.id', 'in', [...conversationIds])
    .execute();
  return new Map(rows.map((r) => [r.id, { ...r, origin_in_issue: r.origin_in_issue === true }]));
}

export interface NewVilogiRequest {
  vilogiId: string;
  kind: 'conversation' | 'triage';
  runId: string;
  service: string;
  authorEmail: string | null;
  authorName: string;
  building: string | null;
  lot: string | null;
  subject: string;
  filedAt: Date;
  spaceId: string | null;
  conversationId: string | null;
}

/** Claims a Vilogi request: true for the one caller that inserted it. A concurrent claim waits
 * for the first transaction, then finds the row and gets false. */
export async function claimVilogiRequest(db: Db, r: NewVilogiRequest): Promise<boolean> {
  const row = await db
    .insertInto('vilogi_requests')
    .values({
      vilogi_id: r.vilogiId,
      kind: r.kind,
      first_run_id: r.runId,
      service: r.service,
      author_email: r.authorEmail,
      author_name: r.authorName,
      building: r.building,
      lot: r.lot,
      subject: r.subject,
      filed_at: r.filedAt,
      space_id: r.spaceId,
      conversation_id: r.conversationId,
      redmine_issue_id: null,
      processed_at: null,
      vilogi_event_id: null,
      origin_note_at: null,
      origin_in_issue_at: null,
    })
    .onConflict((oc) => oc.column('vilogi_id').doNothing())
    .returning('vilogi_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Row-locks a request for the rest of the transaction (the triage issue is created once). */
export async function lockVilogiRequest(db: Db, vilogiId: string): Promise<VilogiRequestRow | undefined> {
  return db.selectFrom('vilogi_requests').selectAll().where('vilogi_id', '=', vilogiId).forUpdate().executeTakeFirst();
}

export async function setVilogiIssue(db: Db, vilogiId: string, issueId: number): Promise<void> {
  await db
    .updateTable('vilogi_requests')
    .set({ redmine_issue_id: issueId })
    .where('vilogi_id', '=', vilogiId)
    .execute();
}

/** The Vilogi request a conversation was imported from, if any (its origin goes into the issue). */
export async function vilogiRequestOfConversation(
  db: Db,
  conversationId: string,
): Promise<VilogiRequestRow | undefined> {
  return db.selectFrom('vilogi_requests').selectAll().where('conversation_id', '=', conversationId).executeTakeFirst();
}

/** Records that the request's origin is in its issue's description (with the issue's link). */
export async function markOriginInIssue(db: Db, vilogiId: string): Promise<void> {
  await db
    .updateTable('vilogi_requests')
    .set({ origin_in_issue_at: new Date() })
    .where('vilogi_id', '=', vilogiId)
    .where('origin_in_issue_at', 'is', null)
    .execute();
}

/** Records that the request's origin note is about to be written (kept from the first try). */
export async function markOriginNoteTried(db: Db, vilogiId: string): Promise<void> {
  await db
    .updateTable('vilogi_requests')
    .set({ origin_note_at: new Date() })
    .where('vilogi_id', '=', vilogiId)
    .where('origin_note_at', 'is', null)
    .execute();
}

export async function setVilogiProcessed(db: Db, vilogiId: string, eventId: string, at: Date): Promise<void> {
  await db
    .updateTable('vilogi_requests')
    .set({ processed_at: at, vilogi_event_id: eventId })
    .where('vilogi_id', '=', vilogiId)
    .where('processed_at', 'is', null)
    .execute();
}

export async function startRun(db: Db, id: string, trigger: 'schedule' | 'manual'): Promise<void> {
  await db
    .insertInto('vilogi_runs')
    .values({ id, trigger, started_at: new Date(), finished_at: null, errors: '[]' })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

export interface RunCounts {
  fetched: number;
  created: number;
  known: number;
  triage: number;
  failed: number;
  processed: number;
  replies: number;
}

export async function finishRun(
  db: Db,
  id: string,
  status: 'done' | 'failed',
  counts: RunCounts,
  errors: VilogiRunError[],
): Promise<void> {
  await db
    .updateTable('vilogi_runs')
    .set({ ...counts, status, finished_at: new Date(), errors: JSON.stringify(errors.slice(0, 200)) })
    .where('id', '=', id)
    .execute();
}

export async function recentRuns(db: Db, limit = 50): Promise<VilogiRun[]> {
  return db.selectFrom('vilogi_runs').selectAll().orderBy('started_at', 'desc').limit(limit).execute();
}

/** Requests filed in triage, newest first, for the back-office. */
/**
 * Triage requests have no space yet (no usable e-mail to find the client): they are seen by staff
 * of the triage space (the space mapped to VILOGI_TRIAGE_PROJECT), and by administrators.
 */
export async function triageRequests(
  db: Db,
  scope: StaffScope,
  triageSpaceId: string | undefined,
  limit = 50,
): Promise<VilogiRequestRow[]> {
  let query = db.selectFrom('vilogi_requests').selectAll();
  if (!scopeHasSpace(scope, triageSpaceId)) query = whereInScope(query, 'vilogi_requests.space_id', scope);
  else if (!scope.all)
    query = query.where((eb) =>
      eb.or([
        eb('space_id', 'is', null),
        eb('space_id', 'in', scope.spaceIds.length > 0 ? [...scope.spaceIds] : [triageSpaceId!]),
      ]),
    );
  return query.where('kind', '=', 'triage').orderBy('imported_at', 'desc').limit(limit).execute();
}

/** Triage issues whose staff answers may still have to go back to Vilogi. */
export async function liveTriageIssues(
  db: Db,
  sinceDays: number,
): Promise<{ vilogi_id: string; redmine_issue_id: number }[]> {
  const rows = await db
    .selectFrom('vilogi_requests')
    .select(['vilogi_id', 'redmine_issue_id'])
    .where('kind', '=', 'triage')
    .where('redmine_issue_id', 'is not', null)
    .where('imported_at', '>=', sql<Date>`now() - make_interval(days => ${sinceDays})`)
    .execute();
  return rows.flatMap((r) =>
    r.redmine_issue_id === null ? [] : [{ vilogi_id: r.vilogi_id, redmine_issue_id: r.redmine_issue_id }],
  );
}

/** What was said after a Vilogi request became a conversation, not yet posted back to Vilogi, in
 * order: staff answers (public Redmine notes; private notes are never stored as messages) and the
 * client's follow-ups, not the request itself (written with the import, at its instant), nor the
 * acknowledgement, nor what staff cancelled. Only once the notification is processed, so that
 * Vilogi has the event before the messages; for `sinceDays` after the import. */
export async function unpostedExchange(
  db: Db,
  sinceDays: number,
  limit: number,
): Promise<
  {
    vilogi_id: string;
    message_id: string;
    author_kind: 'client' | 'staff';
    author_display_name: string;
    body: string;
    created_at: Date;
  }[]
> {
  return db
    .selectFrom('vilogi_requests as v')
    .innerJoin('messages as m', 'm.conversation_id', 'v.conversation_id')
    .leftJoin('vilogi_replies as r', (join) =>
      join.onRef('r.vilogi_id', '=', 'v.vilogi_id').on('r.source_ref', '=', sql<string>`'message-' || m.id::text`),
    )
    .select(['v.vilogi_id', 'm.id as message_id', 'm.author_kind', 'm.author_display_name', 'm.body', 'm.created_at'])
    .where('v.kind', '=', 'conversation')
    .where('v.processed_at', 'is not', null)
    .where('v.imported_at', '>=', sql<Date>`now() - make_interval(days => ${sinceDays})`)
    .where('m.kind', '=', 'message')
    .where('m.author_kind', 'in', ['client', 'staff'])
    .where('m.staff_state', '!=', 'cancelled')
    .whereRef('m.created_at', '>', 'v.imported_at')
    .where('r.vilogi_id', 'is', null)
    .orderBy('v.vilogi_id')
    .orderBy('m.created_at')
    .limit(limit)
    .$narrowType<{ author_kind: 'client' | 'staff' }>()
    .execute();
}

export async function postedReplies(db: Db, vilogiId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('vilogi_replies').select('source_ref').where('vilogi_id', '=', vilogiId).execute();
  return new Set(rows.map((r) => r.source_ref));
}

export async function recordReply(db: Db, vilogiId: string, sourceRef: string, vilogiMessageId: string): Promise<void> {
  await db
    .insertInto('vilogi_replies')
    .values({ vilogi_id: vilogiId, source_ref: sourceRef, vilogi_message_id: vilogiMessageId, posted_at: new Date() })
    .onConflict((oc) => oc.columns(['vilogi_id', 'source_ref']).doNothing())
    .execute();
}

// --- the sync's activities (activities/vilogi/) and the import (app/vilogi-import.ts) -----------

/** The first space among these slugs (a Vilogi service's target), if any. */
export async function spaceIdAmongSlugs(db: Db, slugs: readonly string[]): Promise<string | undefined> {
  const space = await db
    .selectFrom('spaces')
    .select(['id', 'slug'])
    .where('slug', 'in', [...slugs])
    .executeTakeFirst();
  return space?.id;
}

/** The oldest space (the demo without Redmine sends every request there). */
export async function firstSpaceId(db: Db): Promise<string | undefined> {
  const space = await db.selectFrom('spaces').select('id').orderBy('created_at').limit(1).executeTakeFirst();
  return space?.id;
}

/** The slug of a space, if it exists. */
export async function slugOfSpace(db: Db, spaceId: string): Promise<string | undefined> {
  const space = await db.selectFrom('spaces').select('slug').where('id', '=', spaceId).executeTakeFirst();
  return space?.slug;
}

/** A claimed request gets its conversation (a foreign key: once the conversation exists). */
export async function setVilogiConversation(db: Db, vilogiId: string, conversationId: string): Promise<void> {
  await db
    .updateTable('vilogi_requests')
    .set({ conversation_id: conversationId })
    .where('vilogi_id', '=', vilogiId)
    .execute();
}

/** Runs `work` in a transaction that holds the request's row lock (undefined row: not claimed). */
export async function withVilogiRequestLocked<T>(
  db: Db,
  vilogiId: string,
  work: (tx: Db, row: VilogiRequestRow | undefined) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (tx) => work(tx, await lockVilogiRequest(tx, vilogiId)));
}
