// What the SLA's activities share: their deps, the policy and alert types, and the helpers every
// family of steps uses (the conversation with its space, the mail variables, private notes).
import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../../db/connect.js';
import type { Mailer } from '../../connectors/mail/index.js';
import { findConversation } from '../../db/conversations.js';
import { findSpace } from '../../db/spaces.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import type { SlaClockPolicy } from '../../domain/sla-clock.js';
import { writePrivateNote } from '../redmine.js';

export interface SlaActivityDeps {
  db: Db;
  redmine: RedmineMirrorContext | undefined;
  publicUrl: string;
  /** Sends the alerts' e-mails (`slaAlertMail`); the worker always gives it. */
  mailer?: Mailer;
}

export interface SlaPolicy extends SlaClockPolicy {
  satisfactionTimeoutMs: number;
}

export type { SlaAlertKind } from '../../domain/sla-clock.js';

export type SlaHelpers = ReturnType<typeof createSlaHelpers>;

/** The conversation and its space, the client mail's variables and the issue's private notes. */
export function createSlaHelpers({ db, redmine, publicUrl }: SlaActivityDeps) {
  async function context(conversationId: string) {
    const conversation = await findConversation(db, conversationId);
    if (!conversation)
      throw ApplicationFailure.retryable(`conversation ${conversationId} is not visible yet`, 'NotYetVisible');
    const space = await findSpace(db, conversation.space_id);
    if (!space) throw new Error(`space ${conversation.space_id} of conversation ${conversationId} not found`);
    return { conversation, space };
  }

  const mailVars = (conversation: { id: string; subject: string }, client: { full_name: string }) => ({
    clientFullName: client.full_name,
    conversationSubject: conversation.subject,
    conversationUrl: `${publicUrl}/conversations/${conversation.id}`,
  });

  async function privateNote(conversationId: string, issueId: number | null, ref: string, text: string): Promise<void> {
    if (!redmine || issueId === null) return;
    await writePrivateNote(db, redmine, { issueId, ref, text, conversationId });
  }

  return { context, mailVars, privateNote };
}
