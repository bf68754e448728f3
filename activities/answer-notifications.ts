// Staff answers told to the client after the grace window (workflows/notifier.ts): hand an answer
// to the client's notifier, write the one e-mail of a batch or of the daily summary from the
// answers still public and present (their current text), and send the daytime SMS. Each step is
// safe to repeat: outbox rows are keyed by the set of messages, SMS batches are recorded.
import { createHash } from 'node:crypto';
import { ApplicationFailure, log } from '@temporalio/activity';
import type { Db } from '../db/connect.js';
import type { Locale } from '../db/database.js';
import { findAccountById } from '../db/accounts.js';
import { findConversation } from '../db/conversations.js';
import { enqueueNotification, queuedNotificationId } from '../db/notifications.js';
import { notificationPreferences, storeUnsubscribeToken } from '../db/notification-preferences.js';
import { markSmsBatchSent, pendingAnswers, smsBatchToSend, type PendingAnswer } from '../db/answer-notifications.js';
import { renderTemplate } from '../db/templates.js';
import { getSettings, isHexColor } from '../db/settings.js';
import { mailHtml } from '../domain/mail-html.js';
import { multiline } from '../domain/html.js';
import { linkColourOnWhite } from '../domain/colour.js';
import { newToken, tokenDigest } from '../domain/tokens.js';
import { renderStaffNote, type RedmineTextFormatting } from '../app/staff-note-rendering.js';
import type { SmsProvider } from '../connectors/sms/index.js';
import { smsMessage } from '../domain/sms-segments.js';
import { messages as catalogue } from '../i18n/index.js';
import { conversationThreadId, splitCc, type MessageRef } from './conversations.js';

/** Starts the client's notifier if needed and hands it one answer (a Temporal signal-with-start). */
export interface AnswerNotifier {
  notifyStaffAnswer(accountId: string, messageId: string, options: { graceSeconds: number }): Promise<void>;
}

export interface AnswerNotificationDeps {
  db: Db;
  publicUrl: string;
  notifier: AnswerNotifier;
  /** NOTIFY_GRACE_SECONDS. */
  notifyGraceSeconds: number;
  sms: SmsProvider;
  /** How staff write in Redmine (REDMINE_TEXT_FORMATTING once it exists; Redmine's default otherwise). */
  noteFormatting?: RedmineTextFormatting;
}

export interface AnswerBatchInput {
  accountId: string;
  messageIds: string[];
  /** `batch`: the grace window is over; `daily`: the daily summary is due. */
  kind: 'batch' | 'daily';
}

export interface AnswerBatchResult {
  /** Outbox rows to deliver (the client's e-mail, then copies). */
  notificationIds: string[];
  /** Answers that wait for the daily summary. */
  hold: string[];
  /** Answers to tell by SMS (in the daytime). */
  sms: string[];
}

/** A short stable digest of a set of ids: the same set always gives the same key. */
function setDigest(ids: readonly string[]): string {
  return createHash('sha256')
    .update([...new Set(ids)].sort().join(','))
    .digest('hex')
    .slice(0, 32);
}

function groupByConversation(answers: readonly PendingAnswer[]): PendingAnswer[][] {
  const groups = new Map<string, PendingAnswer[]>();
  for (const a of answers) groups.set(a.conversationId, [...(groups.get(a.conversationId) ?? []), a]);
  return [...groups.values()];
}

const placeholder = (i: number) => `[[guichet-answer-${i}]]`;

export function createAnswerNotificationActivities(deps: AnswerNotificationDeps) {
  const { db, publicUrl } = deps;
  const host = new URL(publicUrl).hostname;
  const formatting = deps.noteFormatting ?? 'textile';
  const conversationUrl = (id: string) => `${publicUrl}/conversations/${id}`;

  function rendered(answer: PendingAnswer) {
    // A message typed as plain text (opened through the integration API) reads as typed.
    if (answer.plainText) return { html: `<p>${multiline(answer.body).toString()}</p>`, text: answer.body };
    return renderStaffNote(answer.body, {
      formatting,
      attachments: answer.attachments.map((f) => ({
        filename: f.fileName,
        url: `${conversationUrl(answer.conversationId)}/pieces-jointes/${f.id}`,
        contentType: f.contentType,
      })),
    });
  }

  /** Subject, text and HTML blocks of one e-mail telling these answers (one conversation or several). */
  async function compose(
    answers: PendingAnswer[],
    kind: 'batch' | 'daily',
    client: { fullName: string; locale: Locale },
    unsubscribeUrl: string | undefined,
  ): Promise<{ subject: string; text: string; htmlSource: string; blocks: Map<string, string> }> {
    const t = catalogue(client.locale);
    const groups = groupByConversation(answers);
    const blocks = new Map<string, string>();
    const footer = unsubscribeUrl ? `\n\n${t.answerMail.unsubscribe(unsubscribeUrl)}` : '';
    if (kind === 'batch' && answers.length === 1) {
      // One answer: the administrators' `staff-answer` template, as before the grace window.
      const a = answers[0]!;
      const note = rendered(a);
      const vars = {
        clientFullName: client.fullName,
        conversationSubject: a.conversationSubject,
        conversationUrl: conversationUrl(a.conversationId),
        staffName: a.staffName,
      };
      const mail = await renderTemplate(db, 'staff-answer', client.locale, { ...vars, answerBody: note.text.trim() });
      const withMark = await renderTemplate(db, 'staff-answer', client.locale, { ...vars, answerBody: placeholder(0) });
      blocks.set(placeholder(0), note.html);
      return { subject: mail.subject, text: mail.text + footer, htmlSource: withMark.text + footer, blocks };
    }
    const lines: string[] = [t.mail.greeting(client.fullName), ''];
    lines.push(kind === 'daily' ? t.answerMail.dailyIntro : t.answerMail.batchIntro(answers.length), '');
    let i = 0;
    for (const group of groups) {
      const first = group[0]!;
      lines.push(t.answerMail.conversationHeading(first.conversationSubject), '');
      for (const a of group) {
        const note = rendered(a);
        lines.push(t.mail.answerIntro(a.staffName), '', placeholder(i), '');
        blocks.set(placeholder(i), note.html);
        blocks.set(`text:${placeholder(i)}`, note.text.trim());
        i++;
      }
      lines.push(t.mail.readOnline(conversationUrl(first.conversationId)), '');
    }
    lines.push(t.mail.signature, '', t.mail.noReply);
    const htmlSource = lines.join('\n') + footer;
    let text = htmlSource;
    for (let j = 0; j < i; j++) text = text.replace(placeholder(j), () => blocks.get(`text:${placeholder(j)}`)!);
    for (let j = 0; j < i; j++) blocks.delete(`text:${placeholder(j)}`);
    const subject =
      kind === 'daily'
        ? t.answerMail.dailySubject(answers.length)
        : groups.length === 1
          ? t.mail.answerSubject(first(groups).conversationSubject)
          : t.answerMail.batchSubject(answers.length);
    return { subject, text, htmlSource, blocks };
  }

  function first(groups: PendingAnswer[][]): PendingAnswer {
    return groups[0]![0]!;
  }

  async function brand() {
    const { primaryColor } = await getSettings(db);
    const colour = isHexColor(primaryColor) ? primaryColor : '#0b5cab';
    return { colour, linkColour: linkColourOnWhite(colour) };
  }

  /** Writes the client's e-mail (with its one-click unsubscribe) and one e-mail per conversation
   * with copies (without it: a copy's reader must not unsubscribe the client). */
  async function writeMails(
    key: string,
    answers: PendingAnswer[],
    kind: 'batch' | 'daily',
    client: { id: string; email: string; fullName: string; locale: Locale },
  ): Promise<string[]> {
    const groups = groupByConversation(answers);
    const threadOf = (group: PendingAnswer[]) => {
      const root = conversationThreadId(group[0]!.conversationId, publicUrl);
      return { inReplyTo: root, references: [root] };
    };
    const layout = await brand();
    const ids: string[] = [];

    const existing = await queuedNotificationId(db, key);
    if (existing) ids.push(existing);
    else {
      const token = newToken();
      await storeUnsubscribeToken(db, client.id, tokenDigest(token));
      const unsubscribeUrl = `${publicUrl}/notifications/unsubscribe/${token}`;
      const mail = await compose(answers, kind, client, unsubscribeUrl);
      const row = await enqueueNotification(db, {
        idempotencyKey: key,
        recipient: client.email,
        subject: mail.subject,
        bodyText: mail.text,
        bodyHtml: mailHtml(mail.subject, mail.htmlSource, layout, mail.blocks),
        // One conversation: in its thread. Several: a thread of its own (threading it into one
        // conversation would hide the others in the mail program).
        conversationId: groups.length === 1 ? groups[0]![0]!.conversationId : null,
        mailHeaders: {
          messageId: `<${key.replace(/[^a-z0-9-]/gi, '-')}@${host}>`,
          ...(groups.length === 1 ? threadOf(groups[0]!) : {}),
          listUnsubscribe: unsubscribeUrl,
        },
      });
      ids.push(row.id);
    }

    for (const group of groups) {
      const conversation = await findConversation(db, group[0]!.conversationId);
      const cc = splitCc(conversation?.cc ?? '');
      if (cc.length === 0) continue;
      const copyKey = `${key}:copies:${group[0]!.conversationId}`;
      const queued = await queuedNotificationId(db, copyKey);
      if (queued) {
        ids.push(queued);
        continue;
      }
      const mail = await compose(group, kind === 'daily' ? 'daily' : 'batch', client, undefined);
      const t = catalogue(client.locale);
      const row = await enqueueNotification(db, {
        idempotencyKey: copyKey,
        recipient: cc[0]!,
        cc: cc.slice(1),
        subject: mail.subject,
        bodyText: `${mail.text}\n\n${t.answerMail.copyNote}`,
        bodyHtml: mailHtml(mail.subject, `${mail.htmlSource}\n\n${t.answerMail.copyNote}`, layout, mail.blocks),
        conversationId: group[0]!.conversationId,
        mailHeaders: { messageId: `<${copyKey.replace(/[^a-z0-9-]/gi, '-')}@${host}>`, ...threadOf(group) },
      });
      ids.push(row.id);
    }
    return ids;
  }

  return {
    /** Hands a staff answer to its client's notifier (started if needed). */
    async queueAnswerNotification(ref: MessageRef): Promise<void> {
      const conversation = await findConversation(db, ref.conversationId);
      if (!conversation) {
        throw ApplicationFailure.retryable(`conversation ${ref.conversationId} is not visible yet`, 'NotYetVisible');
      }
      await deps.notifier.notifyStaffAnswer(conversation.client_account_id, ref.messageId, {
        graceSeconds: deps.notifyGraceSeconds,
      });
    },

    /**
     * The grace window is over (or the daily summary is due): the answers still public and
     * present, in their current text, go in one e-mail grouped by conversation, as the client
     * chose (`each`, `daily`: held for the summary, `none`: nothing). Password and security
     * e-mails never come here.
     */
    async prepareAnswerBatch(input: AnswerBatchInput): Promise<AnswerBatchResult> {
      const account = await findAccountById(db, input.accountId);
      if (!account) return { notificationIds: [], hold: [], sms: [] };
      const answers = await pendingAnswers(db, input.accountId, input.messageIds);
      const dropped = input.messageIds.length - answers.length;
      if (dropped > 0) log.info('answers withdrawn within the grace window: not told', { dropped });
      if (answers.length === 0) return { notificationIds: [], hold: [], sms: [] };
      const prefs = await notificationPreferences(db, input.accountId);
      const kept = answers.map((a) => a.messageId);
      const sms = input.kind === 'batch' && prefs.smsMode === 'each' && prefs.phoneConfirmed && prefs.phone ? kept : [];
      const client = { id: account.id, email: account.email, fullName: account.full_name, locale: account.locale };
      if (input.kind === 'batch') {
        if (prefs.emailMode === 'none') return { notificationIds: [], hold: [], sms };
        if (prefs.emailMode === 'daily') return { notificationIds: [], hold: kept, sms };
        const ids = await writeMails(`answer-mail:${setDigest(input.messageIds)}`, answers, 'batch', client);
        return { notificationIds: ids, hold: [], sms };
      }
      // The summary goes unless the client has since chosen no e-mail at all.
      if (prefs.emailMode === 'none') return { notificationIds: [], hold: [], sms: [] };
      const ids = await writeMails(`answer-digest:${setDigest(input.messageIds)}`, answers, 'daily', client);
      return { notificationIds: ids, hold: [], sms: [] };
    },

    /** One short SMS for the answers still present: subjects and a link, never their content. */
    async sendAnswerSms(input: { accountId: string; messageIds: string[] }): Promise<'sent' | 'skipped'> {
      const account = await findAccountById(db, input.accountId);
      const prefs = await notificationPreferences(db, input.accountId);
      if (!account || prefs.smsMode !== 'each' || !prefs.phoneConfirmed || !prefs.phone) return 'skipped';
      const answers = await pendingAnswers(db, input.accountId, input.messageIds);
      if (answers.length === 0) return 'skipped';
      const key = `answer-sms:${setDigest(input.messageIds)}`;
      if (!(await smsBatchToSend(db, key, input.accountId))) return 'skipped';
      const t = catalogue(account.locale);
      const groups = groupByConversation(answers);
      const short = (s: string) => (s.length > 40 ? `${s.slice(0, 39)}…` : s);
      const body =
        groups.length === 1
          ? t.answerMail.sms(short(first(groups).conversationSubject), conversationUrl(first(groups).conversationId))
          : t.answerMail.smsMany(answers.length, `${publicUrl}/conversations`);
      await deps.sms.send(smsMessage(prefs.phone, body));
      await markSmsBatchSent(db, key);
      return 'sent';
    },
  };
}
