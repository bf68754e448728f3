import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/connect.js';
import { findAccountById } from '../db/accounts.js';
import { findConversation, findMessage, insertMessage } from '../db/conversations.js';
import { enqueueNotification } from '../db/notifications.js';
import { renderTemplate } from '../db/templates.js';
import { formatDateTime, messages as catalogue } from '../i18n/index.js';

export interface ConversationActivityDeps {
  db: Db;
  publicUrl: string;
}

export interface MessageRef {
  conversationId: string;
  messageId: string;
}

/** The stable root of a conversation's mail thread: the acknowledgement's Message-ID, which
 * every answer e-mail of the conversation names in In-Reply-To and References. */
export function conversationThreadId(conversationId: string, publicUrl: string): string {
  return `<conversation-${conversationId}@${new URL(publicUrl).hostname}>`;
}

export function splitCc(cc: string): string[] {
  return cc
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The server signals inside its transaction: the rows may not be visible for a few ms yet.
 * Retryable; if the transaction was rolled back, the workflow gives up after its attempts. */
function notYetVisible(ref: MessageRef): ApplicationFailure {
  return ApplicationFailure.retryable(`message ${ref.messageId} is not visible yet`, 'NotYetVisible');
}

export function createConversationActivities({ db, publicUrl }: ConversationActivityDeps) {
  async function load(ref: MessageRef) {
    const message = await findMessage(db, ref.messageId);
    const conversation = message && (await findConversation(db, ref.conversationId));
    const client = conversation && (await findAccountById(db, conversation.client_account_id));
    if (!message || !conversation || !client || message.conversation_id !== conversation.id) throw notYetVisible(ref);
    return {
      message,
      conversation,
      client,
      t: catalogue(client.locale),
      url: `${publicUrl}/conversations/${conversation.id}`,
    };
  }

  return {
    /** Writes the acknowledgement into the thread and the outbox, once per request. */
    async acknowledgeRequest(ref: MessageRef): Promise<{ notificationId: string }> {
      const { conversation, client, t, url } = await load(ref);
      const expectedAnswerAt = conversation.sla_max_at ? formatDateTime(conversation.sla_max_at, client.locale) : '';
      const common = { clientFullName: client.full_name, conversationSubject: conversation.subject, expectedAnswerAt };
      const inThread = await renderTemplate(db, 'acknowledgement-message', client.locale, common);
      const mail = await renderTemplate(db, 'conversation-acknowledgement', client.locale, {
        ...common,
        conversationUrl: url,
      });
      await insertMessage(db, {
        id: randomUUID(),
        conversationId: conversation.id,
        authorKind: 'system',
        authorAccountId: null,
        authorDisplayName: t.ack.author,
        kind: 'acknowledgement',
        body: inThread.text,
        idempotencyKey: `ack:${ref.messageId}`,
      });
      const notification = await enqueueNotification(db, {
        idempotencyKey: `ack-mail:${ref.messageId}`,
        recipient: client.email,
        cc: splitCc(conversation.cc),
        subject: mail.subject,
        bodyText: mail.text,
        conversationId: conversation.id,
        mailHeaders: { messageId: conversationThreadId(conversation.id, publicUrl) },
      });
      return { notificationId: notification.id };
    },
  };
}
