// The back-office's Vilogi page: "sync now", the recent runs with their counts and errors, and
// the requests waiting in triage.
import { formatDateTime } from '../../../i18n/index.js';
import { html } from '../../../domain/html.js';
import { csrfField, layout, type PageContext } from '../../views/layout.js';
import type { VilogiPageData, VilogiRunView } from './view-models.js';

export function vilogiPage(ctx: PageContext, data: VilogiPageData) {
  const { t } = ctx;
  const v = t.vilogi;
  const time = (d: Date) => html`<time datetime="${d.toISOString()}">${formatDateTime(d, ctx.locale)}</time>`;
  const state = (r: VilogiRunView) =>
    r.state === 'running'
      ? v.running
      : r.state === 'interrupted'
        ? v.interrupted
        : r.state === 'done'
          ? v.done
          : v.failedRun;
  const errorList = (errors: VilogiRunView['errors']) =>
    errors.length === 0
      ? '—'
      : html`<details><summary>${errors.length}</summary><ul class="run-errors">${errors.map((e) => html`<li>${e.requestId ? html`<strong>${e.requestId}</strong> : ` : ''}${e.message}</li>`)}</ul></details>`;
  return layout(
    ctx,
    v.title,
    html`<p><a href="/back-office">← ${t.staff.conversations}</a></p>
<h1>${v.title}</h1>
${
  data.configured
    ? html`<p>${v.intro(data.everyMinutes)}</p>
<form method="post" action="/back-office/vilogi/synchroniser" class="inline-action">
  ${csrfField(ctx)}
  <button type="submit" class="primary">${v.syncNow}</button>
</form>`
    : html`<p class="card">${v.notConfigured}</p>`
}
<h2>${v.runs}</h2>
${
  data.runs.length === 0
    ? html`<p class="card">${v.noRuns}</p>`
    : html`<table class="grid vilogi-runs">
  <thead><tr><th scope="col">${v.startedAt}</th><th scope="col">${v.trigger}</th><th scope="col">${v.state}</th><th scope="col">${v.fetched}</th><th scope="col">${v.created}</th><th scope="col">${v.known}</th><th scope="col">${v.triage}</th><th scope="col">${v.processed}</th><th scope="col">${v.failed}</th><th scope="col">${v.errors}</th></tr></thead>
  <tbody>
  ${data.runs.map(
    (r) => html`<tr class="${r.failed > 0 || r.state === 'failed' ? 'breached' : ''}" data-run="${r.id}">
    <td data-label="${v.startedAt}">${time(r.startedAt)}</td>
    <td data-label="${v.trigger}">${r.trigger === 'manual' ? v.manual : v.scheduled}</td>
    <td data-label="${v.state}">${state(r)}</td>
    <td data-label="${v.fetched}">${String(r.fetched)}</td>
    <td data-label="${v.created}">${String(r.created)}</td>
    <td data-label="${v.known}">${String(r.known)}</td>
    <td data-label="${v.triage}">${String(r.triage)}</td>
    <td data-label="${v.processed}">${String(r.processed)}</td>
    <td data-label="${v.failed}">${String(r.failed)}</td>
    <td data-label="${v.errors}">${errorList(r.errors)}</td>
  </tr>`,
  )}
  </tbody>
</table>`
}
<h2>${v.triageTitle}</h2>
${
  data.triage.length === 0
    ? html`<p class="card">${v.noTriage}</p>`
    : html`<table class="grid vilogi-triage">
  <thead><tr><th scope="col">${v.request}</th><th scope="col">${v.author}</th><th scope="col">${v.service}</th><th scope="col">${v.issue}</th></tr></thead>
  <tbody>
  ${data.triage.map(
    (r) => html`<tr>
    <td data-label="${v.request}">${r.subject}<br><span class="muted">${r.vilogiId} · ${time(r.filedAt)}</span></td>
    <td data-label="${v.author}">${r.authorName || '—'}<br><span class="muted">${r.authorEmail ?? v.noEmail}</span></td>
    <td data-label="${v.service}">${r.service}${r.building ? html`<br><span class="muted">${r.building}${r.lot ? ` · ${r.lot}` : ''}</span>` : ''}</td>
    <td data-label="${v.issue}">${r.redmineIssueId !== null ? `#${r.redmineIssueId}` : '—'}</td>
  </tr>`,
  )}
  </tbody>
</table>`
}`,
  );
}
