// Webhook pages for administrators: the endpoints with the form creating one, and one endpoint
// with its secret, its pause/resume and rotate buttons, its delete button (opens a confirmation
// with a box to tick) and its latest deliveries with attempts.
import { html, type Html } from '../../../domain/html.js';
import { WEBHOOK_EVENT_TYPES } from '../../../domain/webhooks.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../views/layout.js';
import type { EndpointForm } from './forms.js';
import type { DeliveryView, EndpointView } from './view-models.js';

const BASE = '/back-office/webhooks';

function endpointFields(ctx: PageContext, form: EndpointForm, spaces: Array<{ id: string; name: string }>): Html {
  const t = ctx.t.webhooks;
  return html`<div class="field"><label for="wh-url">${t.url}</label>
    <input id="wh-url" name="url" type="url" value="${form.url}" maxlength="2000" required aria-describedby="wh-url-help" autocomplete="off" spellcheck="false">
    <p class="help" id="wh-url-help">${t.urlHelp}</p></div>
  <div class="field"><label for="wh-description">${t.description}</label>
    <input id="wh-description" name="description" value="${form.description}" maxlength="200"></div>
  <fieldset class="choices"><legend>${t.events}</legend>
    ${WEBHOOK_EVENT_TYPES.map(
      (e) =>
        html`<label class="check"><input type="checkbox" name="ev_${e}"${form.events.includes(e) ? ' checked' : ''}> ${t.eventLabels[e] ?? e} <code>${e}</code></label>`,
    )}
  </fieldset>
  <fieldset class="choices"><legend>${t.spaces}</legend>
    <p class="help">${t.spacesHelp}</p>
    ${spaces.map(
      (s) =>
        html`<label class="check"><input type="checkbox" name="sp_${s.id}"${form.spaceIds.includes(s.id) ? ' checked' : ''}> ${s.name}</label>`,
    )}
  </fieldset>`;
}

export function endpointListPage(
  ctx: PageContext,
  endpoints: EndpointView[],
  spaces: Array<{ id: string; name: string }>,
  create: { form: EndpointForm; errors: string[] },
) {
  const t = ctx.t.webhooks;
  return layout(
    ctx,
    t.title,
    html`<h1>${t.title}</h1>
<p class="help">${t.intro}</p>
${
  endpoints.length === 0
    ? html`<p>${t.none}</p>`
    : html`<ul class="space-list">
  ${endpoints.map(
    (e) => html`<li class="card"><h2><a href="${BASE}/${e.id}">${e.url}</a></h2>
    ${e.description ? html`<p>${e.description}</p>` : ''}
    <p class="muted">${t.status} : ${e.paused ? t.paused : t.active} · ${e.events.map((ev) => t.eventLabels[ev] ?? ev).join(', ')}</p></li>`,
  )}
</ul>`
}
<details class="card"${create.errors.length > 0 ? ' open' : ''} id="create">
  <summary class="button">${t.newTitle}</summary>
  ${errorSummary(ctx, create.errors)}
  <form method="post" action="${BASE}" novalidate>
    ${csrfField(ctx)}
    ${endpointFields(ctx, create.form, spaces)}
    <button type="submit" class="primary">${t.create}</button>
  </form>
</details>`,
  );
}

function button(ctx: PageContext, action: string, label: string, hidden = ''): Html {
  return html`<form method="post" action="${action}" class="inline">${csrfField(ctx)}<button type="submit">${label}${hidden ? html`<span class="visually-hidden"> ${hidden}</span>` : ''}</button></form>`;
}

function attemptsList(ctx: PageContext, d: DeliveryView): Html {
  const t = ctx.t.webhooks;
  if (d.attempts.length === 0) return html``;
  return html`<ol class="attempts" reversed>
    ${d.attempts.map(
      (a) =>
        html`<li>${t.attemptLine(a.when, a.status === null ? t.noAnswer : String(a.status), a.ms)}${a.error ? html` — <code>${a.error}</code>` : ''}</li>`,
    )}
  </ol>`;
}

export function endpointPage(ctx: PageContext, e: EndpointView, deliveries: DeliveryView[]) {
  const t = ctx.t.webhooks;
  return layout(
    ctx,
    e.url,
    html`<p><a href="${BASE}">← ${t.back}</a></p>
<h1>${e.url}</h1>
${e.description ? html`<p>${e.description}</p>` : ''}
<dl class="card">
  <dt>${t.status}</dt><dd>${e.paused ? html`${t.paused}. ${e.pausedAt ? t.pausedSince(e.pausedAt) : ''}` : t.active}</dd>
  <dt>${t.events}</dt><dd>${e.events.map((ev) => html`<code>${ev}</code> `)}</dd>
  <dt>${t.spaces}</dt><dd>${e.spaces.length === 0 ? t.allSpaces : e.spaces.join(', ')}</dd>
  <dt>${t.secret}</dt><dd><code class="secret">${e.secret}</code><p class="help">${t.secretHelp}</p></dd>
</dl>
<div class="actions">
  ${e.paused ? button(ctx, `${BASE}/${e.id}/reprise`, t.resume) : button(ctx, `${BASE}/${e.id}/pause`, t.pause)}
  ${button(ctx, `${BASE}/${e.id}/secret`, t.rotate)}
  <details class="confirm-delete"><summary class="button danger">${t.delete}</summary>
    <form method="post" action="${BASE}/${e.id}/suppression">
      ${csrfField(ctx)}
      <p class="help">${t.deleteExplain}</p>
      <label class="check"><input type="checkbox" name="confirm" value="1" required> ${t.deleteConfirmBox}</label>
      <button type="submit" class="danger">${t.deleteConfirm}</button>
    </form>
  </details>
</div>
<h2>${t.deliveries}</h2>
${
  deliveries.length === 0
    ? html`<p>${t.noDeliveries}</p>`
    : html`<table class="deliveries">
  <thead><tr><th scope="col">${t.event}</th><th scope="col">${t.status}</th><th scope="col">${t.attempts}</th><th scope="col"><span class="visually-hidden">${t.replay}</span></th></tr></thead>
  <tbody>
  ${deliveries.map(
    (d) => html`<tr data-delivery="${d.id}">
    <td><code>${d.type}</code><br><span class="muted">${d.created}</span></td>
    <td>${t.deliveryStatus[d.status] ?? d.status}</td>
    <td>${d.attempts.length} ${attemptsList(ctx, d)}</td>
    <td>${button(ctx, `${BASE}/${e.id}/envois/${d.id}/renvoi`, t.replay, d.type)}</td>
  </tr>`,
  )}
  </tbody>
</table>`
}`,
  );
}
