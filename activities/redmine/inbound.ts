// Redmine → Guichet: one issue brought into Guichet. Public notes become staff messages (with
// their files), private notes and the description never leave Redmine, statuses and the assignee
// follow; an issue staff open for a client in a mapped project appears in that client's space.
// Safe to run twice at once, and again and again (unique journal ids and issue ids). The parts
// live beside it: the conversation and e-mail field (inbound-conversation.ts), the assignee
// (inbound-assignee.ts), the journals (inbound-journals.ts).
import type { ConversationStatus } from '../../db/database.js';
import { findAccountById, normalizeEmail } from '../../db/accounts.js';
import { findConversation } from '../../db/conversations.js';
import { setConversationStatusIfChanged } from '../../db/redmine.js';
import { conversationKey, emitWebhookEvent } from '../../app/webhooks/emit.js';
import { wakeEndpointsFromActivity } from '../webhooks.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import type { RedmineIssue } from '../../connectors/redmine/types.js';
import { isEmail } from '../../domain/validation.js';
import type { RedmineActivityDeps } from './deps.js';
import { createAssigneeSteps } from './inbound-assignee.js';
import { createIssueConversationSteps } from './inbound-conversation.js';
import { createJournalSteps } from './inbound-journals.js';

function emailOf(ctx: RedmineMirrorContext, issue: RedmineIssue): string | undefined {
  const field = issue.customFields.find((f) => f.id === ctx.emailFieldId);
  const value = Array.isArray(field?.value) ? field.value[0] : field?.value;
  const email = value ? normalizeEmail(value) : '';
  return email && isEmail(email) ? email : undefined;
}

function statusFor(ctx: RedmineMirrorContext, issue: RedmineIssue, current: ConversationStatus): ConversationStatus {
  if (ctx.closedStatusIds.has(issue.statusId) || issue.statusIsClosed) return 'closed';
  if (issue.statusId === ctx.resolvedStatusId) return 'resolved';
  if (issue.statusId === ctx.feedbackStatusId) return 'waiting_client';
  // Reopened in Redmine: back to waiting for staff, unless staff already answered.
  return current === 'resolved' || current === 'closed' || current === 'waiting_client' ? 'open' : current;
}

export function createInboundSteps({ db, signals }: Pick<RedmineActivityDeps, 'db' | 'signals'>) {
  const { conversationOf, emailFieldHolds } = createIssueConversationSteps({ db });
  const { recordAssignee } = createAssigneeSteps({ db });
  const { mirrorJournals } = createJournalSteps({ db, signals });

  /** Brings one issue into Guichet. Safe to run twice at once, and again and again. */
  async function syncIssue(ctx: RedmineMirrorContext, issueId: number): Promise<'mirrored' | 'skipped'> {
    const issue = await ctx.client.getIssue(issueId, { journals: true, attachments: true });
    if (!issue || !ctx.projectIds.includes(issue.projectId)) return 'skipped';
    // Staff coordinate in sub-tasks: never mirrored.
    if (issue.parentId !== undefined) return 'skipped';
    const email = emailOf(ctx, issue);
    const conversation = await conversationOf(ctx, issue, email);
    if (!conversation) return 'skipped';
    const client = await findAccountById(db, conversation.client_account_id);
    if (!client) return 'skipped';
    if (!(await emailFieldHolds(ctx, issue, conversation, email, client.email))) return 'skipped';
    await recordAssignee(ctx, conversation, issue.assignedTo);
    await mirrorJournals(ctx, issue, conversation);
    const fresh = (await findConversation(db, conversation.id))!;
    const status = statusFor(ctx, issue, fresh.status);
    if (status === 'waiting_client') {
      // Feedback in Redmine: the workflow asks the client and holds the 72 h auto-resolve.
      if (fresh.status !== 'waiting_client')
        await signals.askSatisfaction(conversation.id, `redmine-${issue.id}-${issue.updatedOn.getTime()}`);
    } else {
      const told = await db.transaction().execute(async (tx) =>
        // Resolved by staff in Redmine: told once, by the sync that sees the change.
        (await setConversationStatusIfChanged(tx, conversation.id, status)) && status === 'resolved'
          ? emitWebhookEvent(tx, undefined, {
              type: 'conversation.resolved',
              orderingKey: conversationKey(conversation.id),
              spaceId: conversation.space_id,
              data: { conversationId: conversation.id, spaceId: conversation.space_id, state: 'resolved', by: 'staff' },
            })
          : [],
      );
      await wakeEndpointsFromActivity(told);
    }
    return 'mirrored';
  }

  return { syncIssue };
}
