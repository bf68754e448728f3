// SLA figures: outcomes per space for metrics, and the conversations whose clock is at risk or
// breached for the back-office.
import { sql } from 'kysely';
import type { Db } from './connect.js';

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
  targetAt: Date;
  maxAt: Date;
  state: ClockState;
}

/** Conversations whose answer is at risk or late, the most urgent first. */
export async function conversationsAtRisk(db: Db, filter: { spaceId?: string | undefined; limit: number }): Promise<ClockRow[]> {
  let query = db
    .selectFrom('conversations')
    .innerJoin('spaces', 'spaces.id', 'conversations.space_id')
    .select([
      'conversations.id',
      'conversations.subject',
      'spaces.name as space_name',
      'conversations.assignee_email',
      'conversations.sla_target_at',
      'conversations.sla_max_at',
      clockState.as('state'),
    ])
    .where('conversations.sla_max_at', 'is not', null)
    .where(sql<boolean>`${clockState} <> 'on_time'`);
  if (filter.spaceId) query = query.where('conversations.space_id', '=', filter.spaceId);
  const rows = await query.orderBy('conversations.sla_max_at').limit(filter.limit).execute();
  return rows.map((r) => ({
    id: r.id,
    subject: r.subject,
    spaceName: r.space_name,
    assigneeEmail: r.assignee_email,
    targetAt: r.sla_target_at!,
    maxAt: r.sla_max_at!,
    state: r.state,
  }));
}
