// Conversation parts shown by the client space and the back-office alike: the status badge and
// the list of a conversation's messages with their files. Staff messages are Redmine notes,
// rendered with Redmine's formatter and an allow-list (app/staff-note-rendering.ts); client and
// system messages are their text as typed, with line breaks.
import { formatDateTime, type Locale } from '../../i18n/index.js';
import { Html, html, multiline } from '../../domain/html.js';
import {
  renderStaffNote,
  type NoteAttachmentLink,
  type RedmineTextFormatting,
} from '../../app/staff-note-rendering.js';
import type { PageContext } from './layout.js';

/** A conversation's status, as its badge shows it. */
export type ConversationStatus = 'open' | 'answered' | 'waiting_client' | 'resolved' | 'closed';

/** One message as a thread shows it. */
export interface MessageView {
  id: string;
  authorKind: 'client' | 'staff' | 'system';
  authorDisplayName: string;
  kind: 'message' | 'acknowledgement';
  body: string;
  createdAt: Date;
  redmineDelivery: 'pending' | 'delivered' | null;
  staffState: 'to_read' | 'read' | 'cancelled';
  /** A staff message typed as plain text (opened through the integration API): shown as typed. */
  plainText: boolean;
}

/** A file of a message. */
export interface AttachmentView {
  id: string;
  fileName: string;
  sizeBytes: number;
}

export function statusBadge(ctx: PageContext, status: ConversationStatus): Html {
  return html`<span class="badge status-${status}">${ctx.t.status[status]}</span>`;
}

function fileSize(bytes: number, locale: Locale): string {
  const kb = bytes / 1024;
  const number = new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 });
  return kb < 1024
    ? `${number.format(Math.max(kb, 0.1))} ${locale === 'fr' ? 'Ko' : 'KB'}`
    : `${number.format(kb / 1024)} ${locale === 'fr' ? 'Mo' : 'MB'}`;
}

export function messageList(
  ctx: PageContext,
  messages: MessageView[],
  viewer: 'client' | 'staff',
  attachments: {
    byMessage: Map<string, AttachmentView[]>;
    href: (a: AttachmentView) => string;
    /** Redmine's text formatting (REDMINE_TEXT_FORMATTING), for staff notes. */
    formatting: RedmineTextFormatting;
  },
  /** Extra parts of each message (the back-office's reading state). */
  extra?: { className?: (m: MessageView) => string; after: (m: MessageView) => Html | string },
): Html {
  const { t } = ctx;
  // A note may name any file of the conversation (Redmine's attachments belong to the issue).
  const links: NoteAttachmentLink[] = [...attachments.byMessage.values()]
    .flat()
    .map((a) => ({ filename: a.fileName, url: attachments.href(a) }));
  const body = (m: MessageView): Html =>
    m.authorKind === 'staff' && !m.plainText
      ? new Html(renderStaffNote(m.body, { formatting: attachments.formatting, attachments: links }).html)
      : multiline(m.body);
  return html`<ol class="thread">
  ${messages.map((m) => {
    const mine = m.authorKind === viewer;
    const author = viewer === 'client' && m.authorKind === 'client' ? t.thread.you : m.authorDisplayName;
    return html`<li class="message from-${m.authorKind} ${mine ? 'mine' : ''} kind-${m.kind} ${extra?.className?.(m) ?? ''}" id="m-${m.id}">
    <p class="meta"><strong>${author}</strong>${m.kind === 'acknowledgement' ? html` · <span class="badge">${t.thread.acknowledgement}</span>` : ''}
      · <time datetime="${m.createdAt.toISOString()}">${formatDateTime(m.createdAt, ctx.locale)}</time></p>
    <div class="body${m.authorKind === 'staff' && !m.plainText ? ' formatted' : ''}">${body(m)}</div>
    ${(() => {
      const files = attachments.byMessage.get(m.id) ?? [];
      return files.length === 0
        ? ''
        : html`<ul class="attachments" aria-label="${t.thread.attachments}">${files.map(
            (a) =>
              html`<li><a href="${attachments.href(a)}" download>${a.fileName}</a> <span class="muted">(${fileSize(a.sizeBytes, ctx.locale)})</span></li>`,
          )}</ul>`;
    })()}
    ${
      m.authorKind === 'client' && m.redmineDelivery
        ? html`<p class="delivery ${m.redmineDelivery}">${m.redmineDelivery === 'delivered' ? `✓ ${t.thread.delivered}` : t.thread.sent}</p>`
        : ''
    }
    ${extra?.after(m) ?? ''}
  </li>`;
  })}
</ol>`;
}
