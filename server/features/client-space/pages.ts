// Pages of the client space: the client's conversations, writing one, a thread and its reply form.
import { formatDateTime } from '../../../i18n/index.js';
import { ACCEPT_ATTRIBUTE } from '../../../domain/files.js';
import { html, type Html } from '../../../domain/html.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../views/layout.js';
import type { RedmineTextFormatting } from '../../../app/staff-note-rendering.js';
import { messageList, statusBadge, type AttachmentView, type MessageView } from '../../views/conversation-parts.js';
import { clientSlaPanel } from '../sla/pages.js';
import type { ComposeValues, ConversationListItemView, SpaceChoice, ThreadView } from './view-models.js';

export function conversationListPage(
  ctx: PageContext,
  list: { items: ConversationListItemView[]; page: number; pages: number },
) {
  const { t } = ctx;
  return layout(
    ctx,
    t.conversations.title,
    html`<div class="heading-row">
  <h1>${t.conversations.title}</h1>
  <a class="button primary" href="/conversations/nouvelle">${t.conversations.write}</a>
</div>
${
  list.items.length === 0
    ? html`<p class="card">${t.conversations.empty}</p>`
    : html`<ul class="conversation-list">
  ${list.items.map(
    (c) => html`<li class="${c.unreadAnswers > 0 ? 'unread' : ''}">
    <a href="/conversations/${c.id}">
      <span class="subject">${c.subject}</span>
      <span class="meta">${c.spaceName} · <time datetime="${c.lastMessageAt.toISOString()}">${formatDateTime(c.lastMessageAt, ctx.locale)}</time></span>
      <span class="badges">${statusBadge(ctx, c.status)}${c.unreadAnswers > 0 ? html` <span class="badge new">${t.conversations.newAnswers(c.unreadAnswers)}</span>` : ''}</span>
    </a>
  </li>`,
  )}
</ul>`
}
${
  list.pages > 1
    ? html`<nav class="pager" aria-label="${t.conversations.page(list.page, list.pages)}">
  ${list.page > 1 ? html`<a rel="prev" href="/conversations?page=${list.page - 1}">${t.conversations.previous}</a>` : ''}
  <span>${t.conversations.page(list.page, list.pages)}</span>
  ${list.page < list.pages ? html`<a rel="next" href="/conversations?page=${list.page + 1}">${t.conversations.next}</a>` : ''}
</nav>`
    : ''
}`,
  );
}

/** The file picker: several files, the accepted types, its rules said next to it. */
export function fileField(ctx: PageContext): Html {
  const { t } = ctx;
  return html`<label for="files">${t.files.label}</label>
    <input id="files" name="files" type="file" multiple accept="${ACCEPT_ATTRIBUTE}" aria-describedby="files-help">
    <p id="files-help" class="help">${t.files.help}</p>`;
}

export function composePage(ctx: PageContext, spaces: SpaceChoice[], values: ComposeValues, errors: string[]) {
  const { t } = ctx;
  return layout(
    ctx,
    t.compose.title,
    html`<section class="card">
  <h1>${t.compose.title}</h1>
  ${errorSummary(ctx, errors)}
  <form method="post" action="/conversations" enctype="multipart/form-data" novalidate>
    ${csrfField(ctx)}
    ${
      spaces.length > 1
        ? html`<label for="space">${t.compose.space} <span class="req">(${t.compose.required})</span></label>
    <select id="space" name="spaceId" required>
      ${spaces.map((s) => html`<option value="${s.id}" ${s.id === values.spaceId ? 'selected' : ''}>${s.name}</option>`)}
    </select>`
        : html`<input type="hidden" name="spaceId" value="${spaces[0]?.id ?? ''}">`
    }
    <label for="subject">${t.compose.subject} <span class="req">(${t.compose.required})</span></label>
    <input id="subject" name="subject" maxlength="200" required value="${values.subject ?? ''}">
    <label for="body">${t.compose.body} <span class="req">(${t.compose.required})</span></label>
    <textarea id="body" name="body" rows="8" required>${values.body ?? ''}</textarea>
    <label for="cc">${t.compose.cc}</label>
    <input id="cc" name="cc" type="text" inputmode="email" aria-describedby="cc-help" value="${values.cc ?? ''}">
    <p id="cc-help" class="help">${t.compose.ccHelp}</p>
    ${fileField(ctx)}
    <div class="actions">
      <button type="submit" class="primary">${t.compose.send}</button>
      <a href="/conversations">${t.compose.cancel}</a>
    </div>
  </form>
</section>`,
  );
}

export function threadPage(
  ctx: PageContext,
  conversation: ThreadView,
  messages: MessageView[],
  reply: { body?: string; errors: string[] },
  attachments: Map<string, AttachmentView[]>,
  formatting: RedmineTextFormatting,
) {
  const { t } = ctx;
  return layout(
    ctx,
    conversation.subject,
    html`<p><a href="/conversations">← ${t.thread.back}</a></p>
<div class="heading-row">
  <h1>${conversation.subject}</h1>
  ${statusBadge(ctx, conversation.status)}
</div>
<p class="muted">${conversation.spaceName}</p>
${clientSlaPanel(ctx, conversation.sla)}
${messageList(ctx, messages, 'client', {
  byMessage: attachments,
  href: (a) => `/conversations/${conversation.id}/pieces-jointes/${a.id}`,
  formatting,
})}
${ctx.view ? '' : replySection(ctx, conversation.id, reply)}`,
  );
}

function replySection(ctx: PageContext, conversationId: string, reply: { body?: string; errors: string[] }): Html {
  const t = ctx.t;
  return html`<section class="card" aria-labelledby="reply-title">
  <h2 id="reply-title">${t.thread.reply}</h2>
  ${errorSummary(ctx, reply.errors)}
  <form method="post" action="/conversations/${conversationId}/messages" enctype="multipart/form-data" novalidate>
    ${csrfField(ctx)}
    <label for="body">${t.compose.body} <span class="req">(${t.compose.required})</span></label>
    <textarea id="body" name="body" rows="5" required>${reply.body ?? ''}</textarea>
    ${fileField(ctx)}
    <button type="submit" class="primary">${t.thread.send}</button>
  </form>
</section>`;
}
