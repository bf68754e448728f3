// View models of the client space: what its pages show of conversations, spaces and messages.
import type { Conversation, ConversationStatus, Message, Space } from '../../../db/database.js';
import type { ConversationSummary } from '../../../db/conversations.js';
import type { MessageView } from '../../views/conversation-parts.js';
import { slaConversationView, type SlaConversationView } from '../sla/view-models.js';

export interface ConversationListItemView {
  id: string;
  subject: string;
  status: ConversationStatus;
  spaceName: string;
  lastMessageAt: Date;
  /** Staff answers the client has not opened yet. */
  unreadAnswers: number;
}

/** A space the client may write in. */
export interface SpaceChoice {
  id: string;
  name: string;
}

/** What the compose form shows again when it is refused. */
export interface ComposeValues {
  spaceId?: string;
  subject?: string;
  body?: string;
  cc?: string;
}

/** A conversation as its thread page shows it. */
export interface ThreadView {
  id: string;
  subject: string;
  status: ConversationStatus;
  spaceName: string;
  sla: SlaConversationView;
}

export function conversationListItem(c: ConversationSummary): ConversationListItemView {
  return {
    id: c.id,
    subject: c.subject,
    status: c.status,
    spaceName: c.spaceName,
    lastMessageAt: c.lastMessageAt,
    unreadAnswers: c.unreadAnswers,
  };
}

export function spaceChoice(space: Space): SpaceChoice {
  return { id: space.id, name: space.name };
}

export function threadView(conversation: Conversation, spaceName: string): ThreadView {
  return {
    id: conversation.id,
    subject: conversation.subject,
    status: conversation.status,
    spaceName,
    sla: slaConversationView(conversation),
  };
}

export function messageView(m: Message): MessageView {
  return {
    id: m.id,
    authorKind: m.author_kind,
    authorDisplayName: m.author_display_name,
    kind: m.kind,
    body: m.body,
    createdAt: m.created_at,
    redmineDelivery: m.redmine_delivery,
    staffState: m.staff_state,
    plainText: m.plain_text,
  };
}
