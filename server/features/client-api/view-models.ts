// What the client JSON API answers, made from rows: the account, a conversation summary, a message.
import type { Static } from '@sinclair/typebox';
import type { Account, Message as MessageRow } from '../../../db/database.js';
import type { ConversationSummary as SummaryRow } from '../../../db/conversations.js';
import type { ConversationSummary, Me, Message } from './schemas.js';

export function meJson(account: Account): Static<typeof Me> {
  return { id: account.id, email: account.email, fullName: account.full_name, locale: account.locale };
}

export function conversationSummaryJson(c: SummaryRow): Static<typeof ConversationSummary> {
  return {
    id: c.id,
    subject: c.subject,
    status: c.status,
    space: c.spaceName,
    lastMessageAt: c.lastMessageAt.toISOString(),
    unreadAnswers: c.unreadAnswers,
  };
}

/** A message; the client's own messages carry the client's current name. */
export function messageJson(m: MessageRow, clientName: string): Static<typeof Message> {
  return {
    id: m.id,
    author: { kind: m.author_kind, name: m.author_kind === 'client' ? clientName : m.author_display_name },
    kind: m.kind,
    body: m.body,
    createdAt: m.created_at.toISOString(),
  };
}
