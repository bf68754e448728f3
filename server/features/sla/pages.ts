// SLA pieces of pages: the client's expected answer time and satisfaction question, the
// back-office's at-risk list.
import { formatDateTime } from '../../../i18n/index.js';
import { html, type Html } from '../../../domain/html.js';
import { csrfField, layout, type PageContext } from '../../views/layout.js';
import type { RiskFilters, RiskRowView, SlaConversationView } from './view-models.js';

/** Under the thread title: when an answer is due, or the satisfaction question. */
export function clientSlaPanel(ctx: PageContext, conversation: SlaConversationView): Html {
  const { t } = ctx;
  if (conversation.status === 'waiting_client') {
    return html`<section class="card satisfaction" aria-labelledby="satisfaction-title">
  <h2 id="satisfaction-title">${t.sla.question}</h2>
  <form method="post" action="/conversations/${conversation.id}/satisfaction" class="choices">
    ${csrfField(ctx)}
    <button type="submit" name="answer" value="yes" class="primary">${t.sla.yes}</button>
    <button type="submit" name="answer" value="no">${t.sla.no}</button>
  </form>
</section>`;
  }
  // Only while the request waits for staff (the clock is cleared a moment after an answer).
  if (conversation.slaMaxAt && conversation.status === 'open') {
    return html`<p class="expected">${t.sla.expectedBy(formatDateTime(conversation.slaMaxAt, ctx.locale))}</p>`;
  }
  return html``;
}

/** The back-office action that asks the client whether the request is resolved. */
export function staffSatisfactionAction(ctx: PageContext, conversation: SlaConversationView): Html {
  if (!conversation.satisfactionAskable) return html``;
  return html`<form method="post" action="/back-office/conversations/${conversation.id}/satisfaction" class="inline-action">
  ${csrfField(ctx)}
  <button type="submit">${ctx.t.sla.askSatisfaction}</button>
</form>`;
}

export function slaRiskPage(ctx: PageContext, rows: RiskRowView[], filters: RiskFilters) {
  const { t } = ctx;
  const breached = rows.filter((r) => r.state === 'breached').length;
  return layout(
    ctx,
    t.sla.atRisk,
    html`<p><a href="/back-office">← ${t.staff.conversations}</a></p>
<h1>${t.sla.atRisk} / ${t.sla.breached}</h1>
<form method="get" action="/back-office/delais" class="filters">
  <label for="space">${t.conversations.space}</label>
  <select id="space" name="space">
    <option value="">${t.staff.allSpaces}</option>
    ${filters.spaces.map((s) => html`<option value="${s.id}" ${s.id === filters.spaceId ? 'selected' : ''}>${s.name}</option>`)}
  </select>
  <label for="assignee">${t.sla.assignee}</label>
  <select id="assignee" name="assignee">
    <option value="">${t.sla.everyone}</option>
    <option value="none" ${filters.assignee === 'none' ? 'selected' : ''}>${t.sla.unassigned}</option>
    ${filters.assignees.map((a) => html`<option value="${String(a.redmineId)}" ${String(a.redmineId) === filters.assignee ? 'selected' : ''}>${a.name} (${String(a.n)})</option>`)}
  </select>
  <button type="submit">${t.staff.filter}</button>
</form>
${
  rows.length === 0
    ? html`<p class="card">${t.staff.none}</p>`
    : html`<p class="muted" role="status">${t.sla.riskSummary(rows.length - breached, breached)}</p>
<table class="grid">
  <thead><tr><th scope="col">${t.conversations.subject}</th><th scope="col">${t.conversations.space}</th><th scope="col">${t.conversations.status}</th><th scope="col">${t.sla.maxColumn}</th><th scope="col">${t.sla.assignee}</th></tr></thead>
  <tbody>
  ${rows.map(
    (r) => html`<tr class="${r.state}">
    <td><a href="/back-office/conversations/${r.id}">${r.subject}</a></td>
    <td>${r.spaceName}</td>
    <td><span class="badge ${r.state === 'breached' ? 'breached' : 'new'}">${r.state === 'breached' ? t.sla.breached : t.sla.atRisk}</span></td>
    <td><time datetime="${r.maxAt.toISOString()}">${formatDateTime(r.maxAt, ctx.locale)}</time></td>
    <td>${r.assigneeName ?? html`<span class="muted">${t.sla.unassigned}</span>`}${r.assigneeEmail ? html`<br><span class="muted">${r.assigneeEmail}</span>` : ''}</td>
  </tr>`,
  )}
  </tbody>
</table>`
}`,
  );
}
