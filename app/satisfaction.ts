// The satisfaction question of a conversation: the client answers it, staff ask it. The Temporal
// signal of an answer is sent inside the transaction: if Temporal refuses, nothing is stored.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.js';
import type { Conversation } from '../db/database.js';
import { audit } from '../db/audit.js';
import { setConversationStatus } from '../db/conversations.js';
import type { WorkflowGateway } from './workflow-gateway.js';
import { findConversation } from '../db/conversations.js';
import { conversationKey, emitWebhookEvent } from './webhooks/emit.js';

export interface SatisfactionActor {
  accountId: string;
  ip: string;
}

/** The client's answer: resolved (yes) or open again (no), audited and signalled to the workflow. */
export async function answerSatisfaction(
  db: Db,
  workflows: WorkflowGateway,
  actor: SatisfactionActor,
  conversationId: string,
  resolved: boolean,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await setConversationStatus(tx, conversationId, resolved ? 'resolved' : 'open');
    await audit(tx, {
      actorAccountId: actor.accountId,
      actorKind: 'client',
      action: resolved ? 'satisfaction.yes' : 'satisfaction.no',
      subjectType: 'conversation',
      subjectId: conversationId,
      ip: actor.ip,
    });
    await workflows.satisfactionAnswer(conversationId, randomUUID(), resolved);
    const spaceId = (await findConversation(tx, conversationId))?.space_id ?? null;
    const ref = { orderingKey: conversationKey(conversationId), spaceId };
    await emitWebhookEvent(tx, workflows, {
      type: 'satisfaction.answered',
      ...ref,
      data: { conversationId, spaceId, resolved },
    });
    if (resolved)
      await emitWebhookEvent(tx, workflows, {
        type: 'conversation.resolved',
        ...ref,
        data: { conversationId, spaceId, state: 'resolved', by: 'client' },
      });
  });
}

/** Whether staff may ask the question: not while it waits for the client, nor once settled. */
export function canAskSatisfaction(status: Conversation['status']): boolean {
  return status !== 'waiting_client' && status !== 'resolved' && status !== 'closed';
}

/** Staff ask the client whether the request is resolved (nothing happens when they may not). */
export async function askSatisfaction(
  db: Db,
  workflows: WorkflowGateway,
  actor: SatisfactionActor,
  conversation: Pick<Conversation, 'id' | 'status'>,
): Promise<void> {
  if (!canAskSatisfaction(conversation.status)) return;
  await audit(db, {
    actorAccountId: actor.accountId,
    actorKind: 'staff',
    action: 'satisfaction.ask',
    subjectType: 'conversation',
    subjectId: conversation.id,
    ip: actor.ip,
  });
  await workflows.askSatisfaction(conversation.id, `staff-${randomUUID()}`);
}
