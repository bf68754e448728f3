// SLA figures: outcomes per space for metrics, and the conversations whose clock is at risk or
// breached for the back-office.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import { whereInScope, type StaffScope } from './staff-access.js';

export type ClockState = 'on_time' | 'at_risk' | 'breached';

/** A running clock is at risk from its last quarter before the target, breached past the maximum. */
const clockState = sql<ClockState>`case
  when now() >= conversations.sla_max_at then 'breached'
  when now() >= conversations.sla_target_at - (conversations.sla_target_at - conversations.sla_started_at) / 4 then 'at_risk'
  else 'on_time' end`;

export async function slaOutcomeCounts(db: Db): Promise<Array<{ space: string; outcome: string; n: number }>> {
  return db
    .selectFrom('sla_outcomes')
    .innerJoin('spaces', 'spaces.id', 'sla_outcomes.space_id')
    .select(['spaces.slug as space', 'sla_outcomes.outcome', sql<number>`count(*)::int`.as('n')])
    .groupBy(['spaces.slug', 'sla_outcomes.outcome'])
    .execute();
}

export async function runningClockCounts(db: Db): Promise<Array<{ space: string; state: ClockState; n: number }>> {
  return db
    .selectFrom('conversations')
    .innerJoin('spaces', 'spaces.id', 'conversations.space_id')
    .select(['spaces.slug as space', clockState.as('state'), sql<number>`count(*)::int`.as('n')])
    .where('conversations.sla_max_at', 'is not', null)
    .groupBy(['spaces.slug', sql`2`])
    .execute();
}

export interface ClockRow {
  id: string;
  subject: string;
  spaceName: string;
  assigneeEmail: string | null;
  assigneeName: string | null;
  targetAt: Date;
  maxAt: Date;
  state: ClockState;
}

/** Assignee filter: a Redmine user or group id, or nobody (the space's team is reminded). */
export type AssigneeFilter = { redmineId: number } | 'none' | undefined;

/** Who holds at-risk or late conversations, for the filter's choices. */
export async function assigneesAtRisk(
  db: Db,
  scope: StaffScope,
): Promise<Array<{ redmineId: number; name: string; n: number }>> {
  const rows = await whereInScope(db.selectFrom('conversations'), 'conversations.space_id', scope)
    .select([
      'conversations.assignee_redmine_id',
      sql<string>`max(conversations.assignee_name)`.as('name'),
      sql<number>`count(*)::int`.as('n'),
    ])
    .where('conversations.sla_max_at', 'is not', null)
    .where('conversations.assignee_redmine_id', 'is not', null)
    .where(sql<boolean>`${clockState} <> 'on_time'`)
    .groupBy('conversations.assignee_redmine_id')
    .orderBy(sql`2`)
    .execute();
  return rows.map((r) => ({ redmineId: r.assignee_redmine_id!, name: r.name, n: r.n }));
}

/** Conversations whose answer is at risk or late, the most urgent first. */
export async function conversationsAtRisk(
  db: Db,
  filter: { scope: StaffScope; spaceId?: string | undefined; assignee?: AssigneeFilter; limit: number },
): Promise<ClockRow[]> {
  let query = whereInScope(db.selectFrom('conversations'), 'conversations.space_id', filter.scope)
    .innerJoin('spaces', 'spaces.id', 'conversations.space_id')
    .select([
      'conversations.id',
      'conversations.subject',
      'spaces.name as space_name',
      'conversations.assignee_email',
      'conversations.assignee_name',
      'conversations.sla_target_at',
      'conversations.sla_max_at',
      clockState.as('state'),
    ])
    .where('conversations.sla_max_at', 'is not', null)
    .where(sql<boolean>`${clockState} <> 'on_time'`);
  if (filter.spaceId) query = query.where('conversations.space_id', '=', filter.spaceId);
  if (filter.assignee === 'none') query = query.where('conversations.assignee_redmine_id', 'is', null);
  else if (filter.assignee) query = query.where('conversations.assignee_redmine_id', '=', filter.assignee.redmineId);
  const rows = await query.orderBy('conversations.sla_max_at').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    subject: r.subject,
    spaceName: r.space_name,
    assigneeEmail: r.assignee_email,
    assigneeName: r.assignee_name,
    targetAt: r.sla_target_at!,
    maxAt: r.sla_max_at!,
    state: r.state,
  }));
}

// --- the SLA activities' writes and reads (activities/sla.ts) ------------------------------------

/** When a message of the conversation was written; undefined for another conversation's. */
export async function messageWrittenAt(db: Db, messageId: string, conversationId: string): Promise<Date | undefined> {
  const row = await db
    .selectFrom('messages')
    .select('created_at')
    .where('id', '=', messageId)
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  return row?.created_at;
}

/** What pages and lists show of the running clock (nulls: none). */
export async function setSlaDeadlines(
  db: Db,
  conversationId: string,
  deadlines: { startedAt: string | null; targetAt: string | null; maxAt: string | null },
): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ sla_started_at: deadlines.startedAt, sla_target_at: deadlines.targetAt, sla_max_at: deadlines.maxAt })
    .where('id', '=', conversationId)
    .execute();
}

export interface NewSlaOutcome {
  conversationId: string;
  spaceId: string;
  startedAt: string;
  answeredAt: string;
  targetAt: string;
  maxAt: string;
  outcome: 'within_target' | 'within_max' | 'breached';
  idempotencyKey: string;
}

/** One outcome per idempotency key: a second one is ignored. */
export async function recordSlaOutcomeOnce(db: Db, o: NewSlaOutcome): Promise<void> {
  await db
    .insertInto('sla_outcomes')
    .values({
      conversation_id: o.conversationId,
      space_id: o.spaceId,
      started_at: o.startedAt,
      answered_at: o.answeredAt,
      target_at: o.targetAt,
      max_at: o.maxAt,
      outcome: o.outcome,
      idempotency_key: o.idempotencyKey,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}

/** The satisfaction question is asked: the conversation waits for the client. */
export async function markSatisfactionAsked(db: Db, conversationId: string): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ status: 'waiting_client', satisfaction_asked_at: new Date() })
    .where('id', '=', conversationId)
    .execute();
}

/** Resolved: no clock runs any more. */
export async function markResolvedWithoutClock(db: Db, conversationId: string): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ status: 'resolved', sla_started_at: null, sla_target_at: null, sla_max_at: null })
    .where('id', '=', conversationId)
    .execute();
}
