// View models of the SLA parts: a conversation's clock and satisfaction state, the at-risk list.
import type { ConversationStatus } from '../../../db/database.js';
import type { ClockRow } from '../../../db/sla.js';
import { canAskSatisfaction } from '../../../app/satisfaction.js';

export type { ConversationStatus };

/** What the SLA parts of a thread page need of its conversation. */
export interface SlaConversationView {
  id: string;
  status: ConversationStatus;
  /** When the answer is due at the latest, while a clock runs. */
  slaMaxAt: Date | null;
  /** Whether staff may ask the satisfaction question now. */
  satisfactionAskable: boolean;
}

export interface RiskRowView {
  id: string;
  subject: string;
  spaceName: string;
  assigneeEmail: string | null;
  assigneeName: string | null;
  maxAt: Date;
  state: ClockRow['state'];
}

export interface RiskFilters {
  spaces: Array<{ id: string; name: string }>;
  assignees: Array<{ redmineId: number; name: string; n: number }>;
  spaceId: string | undefined;
  /** The chosen assignee: a Redmine id, `none`, or '' for everyone. */
  assignee: string;
}

export function slaConversationView(conversation: {
  id: string;
  status: ConversationStatus;
  sla_max_at: Date | null;
}): SlaConversationView {
  return {
    id: conversation.id,
    status: conversation.status,
    slaMaxAt: conversation.sla_max_at,
    satisfactionAskable: canAskSatisfaction(conversation.status),
  };
}

export function riskRowView(row: ClockRow): RiskRowView {
  return {
    id: row.id,
    subject: row.subject,
    spaceName: row.spaceName,
    assigneeEmail: row.assigneeEmail,
    assigneeName: row.assigneeName,
    maxAt: row.maxAt,
    state: row.state,
  };
}
