// Redmine → Guichet: an issue's assignee on its conversation, with the e-mail SLA reminders go to
// (Redmine users looked up at most every few minutes).
import type { Conversation } from '../../db/database.js';
import { normalizeEmail } from '../../db/accounts.js';
import { setConversationAssignee, staffEmailOfRedmineLogin } from '../../db/redmine.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { isEmail } from '../../domain/validation.js';
import type { RedmineActivityDeps } from './deps.js';

export function createAssigneeSteps({ db }: Pick<RedmineActivityDeps, 'db'>) {
  // Redmine users change rarely: one lookup per assignee every few minutes is plenty.
  const assignees = new Map<number, { at: number; email: string | null }>();
  const ASSIGNEE_TTL_MS = 5 * 60_000;

  /** The e-mail that reminders go to: the Guichet staff account with that Redmine login, else the
   * address Redmine shows (an administrator's key sees hidden ones), else none (the team then). */
  async function assigneeEmail(ctx: RedmineMirrorContext, userId: number): Promise<string | null> {
    const cached = assignees.get(userId);
    if (cached && Date.now() - cached.at < ASSIGNEE_TTL_MS) return cached.email;
    const user = await ctx.client.getUser(userId);
    let email: string | null = null;
    if (user) {
      const staff = await staffEmailOfRedmineLogin(db, user.login);
      email = staff ?? (user.mail && isEmail(user.mail) ? normalizeEmail(user.mail) : null);
    }
    assignees.set(userId, { at: Date.now(), email });
    return email;
  }

  async function recordAssignee(
    ctx: RedmineMirrorContext,
    conversation: Pick<Conversation, 'id' | 'assignee_redmine_id' | 'assignee_name' | 'assignee_email'>,
    assignedTo: { id: number; name: string } | undefined,
  ) {
    const id = assignedTo?.id ?? null;
    const name = assignedTo?.name ?? null;
    const email = id === null ? null : await assigneeEmail(ctx, id);
    if (
      id === conversation.assignee_redmine_id &&
      name === conversation.assignee_name &&
      email === conversation.assignee_email
    )
      return;
    await setConversationAssignee(db, conversation.id, { redmineId: id, name, email });
  }

  return { recordAssignee };
}
