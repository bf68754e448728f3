// View models of the back-office conversation pages: the list, a thread with its client and space.
import type { Conversation, ConversationStatus } from '../../../db/database.js';
import type { StaffConversationSummary } from '../../../db/conversations.js';
import type { AttachmentView, MessageView } from '../../views/conversation-parts.js';
import { slaConversationView, type SlaConversationView } from '../sla/view-models.js';

export type { SpaceChoice } from '../client-space/view-models.js';

export interface StaffConversationListItemView {
  id: string;
  subject: string;
  status: ConversationStatus;
  spaceName: string;
  lastMessageAt: Date;
  clientName: string;
  clientEmail: string;
  /** True when the last message is the client's: it waits for staff. */
  awaitingStaff: boolean;
}

/** A conversation as the back-office thread page shows it. */
export interface StaffThreadView {
  id: string;
  subject: string;
  status: ConversationStatus;
  /** Comma-separated copies ('' for none). */
  cc: string;
  sla: SlaConversationView;
  spaceName: string;
  clientName: string;
  clientEmail: string;
  messages: MessageView[];
  attachments: Map<string, AttachmentView[]>;
}

export function staffConversationListItem(c: StaffConversationSummary): StaffConversationListItemView {
  return {
    id: c.id,
    subject: c.subject,
    status: c.status,
    spaceName: c.spaceName,
    lastMessageAt: c.lastMessageAt,
    clientName: c.clientName,
    clientEmail: c.clientEmail,
    awaitingStaff: c.awaitingStaff,
  };
}

export function staffThreadView(
  conversation: Conversation,
  parts: {
    spaceName: string;
    client: { full_name: string; email: string };
    messages: MessageView[];
    attachments: Map<string, AttachmentView[]>;
  },
): StaffThreadView {
  return {
    id: conversation.id,
    subject: conversation.subject,
    status: conversation.status,
    cc: conversation.cc,
    sla: slaConversationView(conversation),
    spaceName: parts.spaceName,
    clientName: parts.client.full_name,
    clientEmail: parts.client.email,
    messages: parts.messages,
    attachments: parts.attachments,
  };
}
