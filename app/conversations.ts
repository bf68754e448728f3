// Writes that start or feed a conversation workflow. The Temporal call happens inside the
// database transaction: if Temporal refuses, nothing is stored; the workflow's activities
// retry until the committed rows are visible.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.js';
import type { Account } from '../db/database.js';
import { audit } from '../db/audit.js';
import {
  createConversation,
  findConversation,
  insertAttachments,
  insertMessage,
  setConversationStatus,
  type NewAttachment,
} from '../db/conversations.js';
import type { WorkflowGateway } from './workflow-gateway.js';
import { conversationKey, emitWebhookEvent, type WebhookEvent } from './webhooks/emit.js';

export interface Actor {
  account: Account;
  /** Null when no person acted through the web (the Vilogi import). */
  ip: string | null;
  /** How the actor is named to clients (staff: per the configured policy). */
  displayName?: string;
}

/** Staff as clients see them: the full name, or "first name · team" (REDMINE_STAFF_NAMES). */
export function staffDisplayName(fullName: string, policy: 'full' | 'first-name-team', team: string): string {
  if (policy === 'full') return fullName;
  return `${fullName.trim().split(/\s+/)[0] ?? fullName} · ${team}`;
}

export interface NewConversation {
  spaceId: string;
  subject: string;
  body: string;
  cc: string;
  attachments?: readonly NewAttachment[];
}

export async function startConversation(
  db: Db,
  workflows: WorkflowGateway,
  actor: Actor,
  input: NewConversation,
): Promise<{ conversationId: string; messageId: string }> {
  const ids = { conversationId: randomUUID(), messageId: randomUUID() };
  await db.transaction().execute((tx) => writeConversation(tx, workflows, actor, input, ids));
  return ids;
}

/**
 * The conversation, its first message, files and audit entry, and the workflow's signal, inside
 * the caller's transaction (the Vilogi import writes its idempotency row in the same one).
 */
export async function writeConversation(
  tx: Db,
  workflows: Pick<WorkflowGateway, 'clientMessage'> & Partial<Pick<WorkflowGateway, 'webhookEndpoint'>>,
  actor: Actor,
  input: NewConversation,
  ids: { conversationId: string; messageId: string },
): Promise<void> {
  const { conversationId, messageId } = ids;
  await createConversation(tx, {
    id: conversationId,
    spaceId: input.spaceId,
    clientAccountId: actor.account.id,
    subject: input.subject,
    cc: input.cc,
  });
  await insertMessage(tx, {
    id: messageId,
    conversationId,
    authorKind: 'client',
    authorAccountId: actor.account.id,
    authorDisplayName: actor.account.full_name,
    body: input.body,
    // "Sent" until the mirror has it on the issue ("delivered"); cleared when nothing mirrors it.
    redmineDelivery: 'pending',
  });
  // The files are already in storage; their rows commit (or not) with the message.
  await insertAttachments(tx, messageId, input.attachments ?? []);
  await audit(tx, {
    actorAccountId: actor.account.id,
    actorKind: 'client',
    action: 'conversation.create',
    subjectType: 'conversation',
    subjectId: conversationId,
    ip: actor.ip,
  });
  await workflows.clientMessage(conversationId, messageId);
  await emitWebhookEvent(tx, workflows, messageReceived(input.spaceId, conversationId, messageId));
}

export async function addClientMessage(
  db: Db,
  workflows: WorkflowGateway,
  actor: Actor,
  conversationId: string,
  body: string,
  attachments: readonly NewAttachment[] = [],
): Promise<{ messageId: string }> {
  const messageId = randomUUID();
  await db.transaction().execute(async (tx) => {
    await insertMessage(tx, {
      id: messageId,
      conversationId,
      authorKind: 'client',
      authorAccountId: actor.account.id,
      authorDisplayName: actor.account.full_name,
      body,
      redmineDelivery: 'pending',
    });
    await insertAttachments(tx, messageId, attachments);
    await setConversationStatus(tx, conversationId, 'open');
    await workflows.clientMessage(conversationId, messageId);
    const spaceId = (await findConversation(tx, conversationId))?.space_id;
    if (spaceId) await emitWebhookEvent(tx, workflows, messageReceived(spaceId, conversationId, messageId));
  });
  return { messageId };
}

export async function addStaffAnswer(
  db: Db,
  workflows: WorkflowGateway,
  actor: Actor,
  conversationId: string,
  body: string,
): Promise<{ messageId: string }> {
  const messageId = randomUUID();
  await db.transaction().execute(async (tx) => {
    await insertMessage(tx, {
      id: messageId,
      conversationId,
      authorKind: 'staff',
      authorAccountId: actor.account.id,
      authorDisplayName: actor.displayName ?? actor.account.full_name,
      body,
    });
    await setConversationStatus(tx, conversationId, 'answered');
    await audit(tx, {
      actorAccountId: actor.account.id,
      actorKind: 'staff',
      action: 'conversation.answer',
      subjectType: 'conversation',
      subjectId: conversationId,
      ip: actor.ip,
    });
    await workflows.staffAnswer(conversationId, messageId);
  });
  return { messageId };
}

/** A conversation staff open with a client: its subject, the first message (plain text, shown to
 * the client as typed and written into the description, escaped for Redmine), and the
 * case it is about if any. */
export interface StaffOpening {
  spaceId: string;
  clientAccountId: string;
  subject: string;
  body: string;
  caseId?: string | null;
}

/**
 * Staff open a conversation with a client (the integration API; the back-office has no such form
 * yet). The conversation, its first message authored by the staff member and the audit entry are
 * written in one transaction with the workflow's signal: the conversation workflow treats the
 * message as a staff answer, so the client is told through their notifier (preferences, grace
 * window, unsubscribe link) and the issue is created by the workflow's Redmine step, the message
 * as its description (activities/redmine/issue.ts). No answer clock starts: nobody waits for staff.
 */
export async function openConversationForClient(
  db: Db,
  workflows: Pick<WorkflowGateway, 'staffAnswer'>,
  actor: Actor & { details?: Record<string, string> },
  input: StaffOpening,
): Promise<{ conversationId: string; messageId: string }> {
  const ids = { conversationId: randomUUID(), messageId: randomUUID() };
  await db.transaction().execute(async (tx) => {
    await createConversation(tx, {
      id: ids.conversationId,
      spaceId: input.spaceId,
      clientAccountId: input.clientAccountId,
      subject: input.subject,
      cc: '',
      caseId: input.caseId ?? null,
    });
    await insertMessage(tx, {
      id: ids.messageId,
      conversationId: ids.conversationId,
      authorKind: 'staff',
      authorAccountId: actor.account.id,
      authorDisplayName: actor.displayName ?? actor.account.full_name,
      body: input.body,
      // Pending until the issue is created with it as its description (then "delivered", with no
      // journal of its own): the only staff message that is ever pending.
      redmineDelivery: 'pending',
      plainText: true,
    });
    await setConversationStatus(tx, ids.conversationId, 'answered');
    await audit(tx, {
      actorAccountId: actor.account.id,
      actorKind: 'staff',
      action: 'conversation.open',
      subjectType: 'conversation',
      subjectId: ids.conversationId,
      ip: actor.ip,
      details: { ...actor.details, ...(input.caseId ? { caseId: input.caseId } : {}) },
    });
    await workflows.staffAnswer(ids.conversationId, ids.messageId);
  });
  return ids;
}

/** A client's message as a webhook event: ids only, never the text (docs/webhooks.md). */
function messageReceived(spaceId: string, conversationId: string, messageId: string): WebhookEvent {
  return {
    type: 'message.received',
    orderingKey: conversationKey(conversationId),
    spaceId,
    data: { conversationId, messageId, spaceId, author: 'client' },
  };
}
