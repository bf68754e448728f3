// Pages of the back-office conversations: the list of conversations in the staff member's
// spaces, a thread with the answer form and each client message's reading state.
import { formatDateTime } from '../../../i18n/index.js';
import { html } from '../../../domain/html.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../views/layout.js';
import type { RedmineTextFormatting } from '../../../app/staff-note-rendering.js';
import { messageList, statusBadge, type MessageView } from '../../views/conversation-parts.js';
import { staffSatisfactionAction } from '../sla/pages.js';
import type { SpaceChoice, StaffConversationListItemView, StaffThreadView } from './view-models.js';

export function staffConversationListPage(
  ctx: PageContext,
  spaces: SpaceChoice[],
  filter: { spaceId?: string | undefined },
  list: { items: StaffConversationListItemView[]; page: number; pages: number },
) {
  const { t } = ctx;
  const query = (page: number) => `/back-office?page=${page}${filter.spaceId ? `&space=${filter.spaceId}` : ''}`;
  return layout(
    ctx,
    t.staff.conversations,
    html`<div class="heading-row"><h1>${t.staff.conversations}</h1><a class="button" href="/back-office/delais">${t.sla.riskLink}</a><a class="button" href="/back-office/vilogi">${t.vilogi.link}</a><a class="button" href="/back-office/exports/messages.xlsx" download>${t.caseList.exportMessages}</a></div>
<form method="get" action="/back-office" class="filters">
  <label for="space">${t.conversations.space}</label>
  <select id="space" name="space">
    <option value="">${t.staff.allSpaces}</option>
    ${spaces.map((s) => html`<option value="${s.id}" ${s.id === filter.spaceId ? 'selected' : ''}>${s.name}</option>`)}
  </select>
  <button type="submit">${t.staff.filter}</button>
</form>
${
  list.items.length === 0
    ? html`<p class="card">${t.staff.none}</p>`
    : html`<table class="grid">
  <thead><tr><th scope="col">${t.conversations.subject}</th><th scope="col">${t.staff.client}</th><th scope="col">${t.conversations.space}</th><th scope="col">${t.conversations.status}</th><th scope="col">${t.conversations.lastActivity}</th></tr></thead>
  <tbody>
  ${list.items.map(
    (c) => html`<tr class="${c.awaitingStaff ? 'awaiting' : ''}">
    <td><a href="/back-office/conversations/${c.id}">${c.subject}</a>${c.awaitingStaff ? html` <span class="badge new">${t.staff.awaiting}</span>` : ''}</td>
    <td>${c.clientName}<br><span class="muted">${c.clientEmail}</span></td>
    <td>${c.spaceName}</td>
    <td>${statusBadge(ctx, c.status)}</td>
    <td><time datetime="${c.lastMessageAt.toISOString()}">${formatDateTime(c.lastMessageAt, ctx.locale)}</time></td>
  </tr>`,
  )}
  </tbody>
</table>`
}
${
  list.pages > 1
    ? html`<nav class="pager" aria-label="${t.conversations.page(list.page, list.pages)}">
  ${list.page > 1 ? html`<a rel="prev" href="${query(list.page - 1)}">${t.conversations.previous}</a>` : ''}
  <span>${t.conversations.page(list.page, list.pages)}</span>
  ${list.page < list.pages ? html`<a rel="next" href="${query(list.page + 1)}">${t.conversations.next}</a>` : ''}
</nav>`
    : ''
}`,
  );
}

export function staffThreadPage(
  ctx: PageContext,
  view: StaffThreadView,
  answer: { body?: string; errors: string[] },
  formatting: RedmineTextFormatting,
) {
  const { t } = ctx;
  const c = view;
  return layout(
    ctx,
    c.subject,
    html`<p><a href="/back-office">← ${t.staff.conversations}</a></p>
<div class="heading-row"><h1>${c.subject}</h1>${statusBadge(ctx, c.status)}</div>
<p class="muted">${view.clientName} · ${view.clientEmail} · ${view.spaceName}${c.cc ? html` · Cc ${c.cc}` : ''}</p>
${c.sla.slaMaxAt && c.status === 'open' ? html`<p class="expected">${ctx.t.sla.expectedBy(formatDateTime(c.sla.slaMaxAt, ctx.locale))}</p>` : ''}
${staffSatisfactionAction(ctx, c.sla)}
${messageList(
  ctx,
  view.messages,
  'staff',
  {
    byMessage: view.attachments,
    href: (a) => `/back-office/conversations/${c.id}/pieces-jointes/${a.id}`,
    formatting,
  },
  {
    className: (m) => (m.authorKind === 'client' ? `staff-${m.staffState}` : ''),
    after: (m) => messageStateControls(ctx, c.id, m),
  },
)}
<section class="card" aria-labelledby="answer-title">
  <h2 id="answer-title">${t.staff.answer}</h2>
  ${errorSummary(ctx, answer.errors)}
  <form method="post" action="/back-office/conversations/${c.id}/reponses" novalidate>
    ${csrfField(ctx)}
    <label for="body">${t.compose.body} <span class="req">(${t.compose.required})</span></label>
    <textarea id="body" name="body" rows="6" required>${answer.body ?? ''}</textarea>
    <button type="submit" class="primary">${t.staff.sendAnswer}</button>
  </form>
</section>`,
  );
}

/** A client message's reading state for staff, and the buttons that change it. */
function messageStateControls(ctx: PageContext, conversationId: string, m: MessageView) {
  if (m.authorKind !== 'client') return '';
  const s = ctx.t.messageStates;
  const next: { state: MessageView['staffState']; label: string }[] =
    m.staffState === 'to_read'
      ? [
          { state: 'read', label: s.markRead },
          { state: 'cancelled', label: s.cancel },
        ]
      : m.staffState === 'read'
        ? [
            { state: 'to_read', label: s.markToRead },
            { state: 'cancelled', label: s.cancel },
          ]
        : [{ state: 'to_read', label: s.restore }];
  return html`<div class="message-state">
    <span class="badge state-${m.staffState}">${s[m.staffState]}</span>
    ${m.staffState === 'cancelled' ? html`<span class="muted">${s.cancelledHelp}</span>` : ''}
    <form method="post" action="/back-office/conversations/${conversationId}/messages/${m.id}/etat" class="inline-actions">
      ${csrfField(ctx)}
      ${next.map((n) => html`<button type="submit" name="state" value="${n.state}">${n.label}</button>`)}
    </form>
  </div>`;
}
