// The back-office case list (search, filters, rows per page, pages, Excel exports), and the
// case page's assignment and notepad sections. Tables become cards on a phone; every control is
// a plain form that works by keyboard and without JavaScript.
import {
  UNASSIGNED,
  type AssignableCase,
  type CaseListQuery,
  type CaseListView,
  type CaseWork,
  type DownloadState,
} from './view-models.js';
import { formatDateTime } from '../../../../i18n/index.js';
import { html, multiline, type Html } from '../../../../domain/html.js';
import { csrfField, layout, type PageContext } from '../../../views/layout.js';

/** The filters as a query string (without page and rows), shared by pages and the export. */
export function caseListParams(query: CaseListQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.q.trim() !== '') params.set('q', query.q);
  if (query.spaceId) params.set('espace', query.spaceId);
  if (query.status) params.set('etat', query.status);
  if (query.payment) params.set('paiement', query.payment);
  if (query.assignee) params.set('attribue', query.assignee);
  return params;
}

export function euros(cents: number, locale: 'fr' | 'en'): string {
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { style: 'currency', currency: 'EUR' }).format(
    cents / 100,
  );
}

const shortDates = {
  fr: new Intl.DateTimeFormat('fr-FR', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Paris' }),
};

function option(value: string, label: string, selected: boolean): Html {
  return html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
}

/** Under the case's state: whether the client's people downloaded its files (nothing when it has none). */
function downloadBadge(ctx: PageContext, state: DownloadState): Html {
  if (state === 'no_files') return html``;
  return html`<br><span class="badge dl-${state}" title="${ctx.t.caseList.downloads}">${ctx.t.caseRecord.downloadState[state]}</span>`;
}

export function staffCaseListPage(ctx: PageContext, view: CaseListView): Html {
  const t = ctx.t.caseList;
  const d = ctx.t.documents;
  const q = view.query;
  const filters = caseListParams(q);
  const pageUrl = (page: number) => {
    const params = new URLSearchParams(filters);
    params.set('page', String(page));
    return `/back-office/dossiers?${params.toString()}`;
  };
  const exportQuery = filters.toString();
  const from = view.total === 0 ? 0 : (view.page - 1) * view.rowsPerPage + 1;
  const to = Math.min(view.total, view.page * view.rowsPerPage);
  const rowsError =
    view.rowsAsked !== undefined
      ? t.rowsOutOfRange(view.rowsAsked, view.rowsMin, view.rowsMax, view.rowsPerPage)
      : undefined;
  return layout(
    ctx,
    t.title,
    html`<div class="heading-row"><h1>${t.title}</h1><a class="button primary" href="/back-office/dossiers/nouveau">${ctx.t.caseAdmin.newCase}</a></div>
${rowsError ? html`<div class="errors" role="alert" id="rows-error"><p>${rowsError}</p></div>` : ''}
${filtersForm(ctx, view, filters, rowsError)}
<p class="list-count" role="status">${view.total === 0 ? t.count(0) : view.pages > 1 ? t.range(from, to, view.total) : t.count(view.total)}</p>
${
  view.items.length === 0
    ? q.q.trim() !== ''
      ? html`<div class="errors" role="alert"><p>${d.notFound}</p><p class="help">${d.notFoundHelp}</p></div>`
      : html`<p class="card">${t.none}</p>`
    : caseTable(ctx, view)
}
${
  view.pages > 1
    ? html`<nav class="pager" aria-label="${t.pagination}">
  ${view.page > 1 ? html`<a rel="prev" href="${pageUrl(view.page - 1)}">${t.previous}</a>` : ''}
  <span aria-current="page">${t.page(view.page, view.pages)}</span>
  ${view.page < view.pages ? html`<a rel="next" href="${pageUrl(view.page + 1)}">${t.next}</a>` : ''}
</nav>`
    : ''
}
<section class="card exports" aria-labelledby="exports-title">
  <h2 id="exports-title">${t.exports}</h2>
  <ul>
    <li><a href="/back-office/exports/dossiers.xlsx${exportQuery ? `?${exportQuery}` : ''}" download>${t.exportCases}</a></li>
    <li><a href="/back-office/exports/contacts.xlsx" download>${t.exportContacts}</a></li>
    <li><a href="/back-office/exports/messages.xlsx" download>${t.exportMessages}</a></li>
  </ul>
</section>`,
  );
}

/** Search, filters and rows per page: a GET form that works without JavaScript. */
function filtersForm(
  ctx: PageContext,
  view: CaseListView,
  filters: URLSearchParams,
  rowsError: string | undefined,
): Html {
  const t = ctx.t.caseList;
  const d = ctx.t.documents;
  const q = view.query;
  return html`<form method="get" action="/back-office/dossiers" class="case-filters card" role="search">
  <div class="field wide">
    <label for="q">${t.searchLabel}</label>
    <input id="q" name="q" type="search" value="${q.q}" autocomplete="off" aria-describedby="q-help">
    <p class="help" id="q-help">${t.searchHelp}</p>
  </div>
  <div class="field">
    <label for="espace">${t.space}</label>
    <select id="espace" name="espace">${option('', t.allSpaces, !q.spaceId)}${view.spaces.map((s) => option(s.id, s.name, s.id === q.spaceId))}</select>
  </div>
  <div class="field">
    <label for="etat">${t.state}</label>
    <select id="etat" name="etat">${option('', t.allStates, !q.status)}${(['open', 'complete', 'closed'] as const).map((s) => option(s, d.caseStatus[s], s === q.status))}</select>
  </div>
  <div class="field">
    <label for="paiement">${t.payment}</label>
    <select id="paiement" name="paiement">${option('', t.allPayments, !q.payment)}${(['paid', 'unpaid'] as const).map((p) => option(p, t.paymentState[p], p === q.payment))}</select>
  </div>
  <div class="field">
    <label for="attribue">${t.assignee}</label>
    <select id="attribue" name="attribue">${option('', t.allAssignees, !q.assignee)}${option(UNASSIGNED, t.unassigned, q.assignee === UNASSIGNED)}${view.staff.map((s) => option(s.id, s.fullName, s.id === q.assignee))}</select>
  </div>
  <div class="field">
    <label for="lignes">${t.rowsPerPage}</label>
    <input id="lignes" name="lignes" type="number" inputmode="numeric" min="${view.rowsMin}" max="${view.rowsMax}" step="1" value="${view.rowsAsked ?? view.rowsPerPage}" aria-describedby="lignes-help"${rowsError ? html` aria-invalid="true"` : ''}>
    <p class="help" id="lignes-help">${t.rowsHelp(view.rowsMin, view.rowsMax)}</p>
  </div>
  <div class="field buttons">
    <button type="submit" class="primary">${t.apply}</button>
    ${filters.toString() !== '' ? html`<a href="/back-office/dossiers">${t.reset}</a>` : ''}
  </div>
</form>`;
}

/** The listed cases; a card each on a phone. */
function caseTable(ctx: PageContext, view: CaseListView): Html {
  const t = ctx.t.caseList;
  const d = ctx.t.documents;
  return html`<table class="grid case-table">
  <thead><tr><th scope="col">${t.number}</th><th scope="col">${t.caseTitle}</th><th scope="col">${t.client}</th><th scope="col">${t.space}</th><th scope="col">${t.state}</th><th scope="col">${t.payment}</th><th scope="col">${t.assignee}</th><th scope="col">${t.createdAt}</th></tr></thead>
  <tbody>
  ${view.items.map(
    (c) => html`<tr>
    <td data-label="${t.number}"><a href="/back-office/dossiers/${c.id}">${c.number}</a></td>
    <td data-label="${t.caseTitle}">${c.title}</td>
    <td data-label="${t.client}">${c.clientName}<br><span class="muted">${c.clientEmail}</span></td>
    <td data-label="${t.space}">${c.spaceName}</td>
    <td data-label="${t.state}"><span class="badge case-${c.status}">${d.caseStatus[c.status]}</span>${downloadBadge(ctx, view.downloads.get(c.id) ?? 'no_files')}</td>
    <td data-label="${t.payment}"><span class="badge pay-${c.paymentState}">${t.paymentState[c.paymentState]}</span>${c.paymentAmountCents !== null ? html` <span class="muted">${euros(c.paymentAmountCents, ctx.locale)}</span>` : ''}</td>
    <td data-label="${t.assignee}">${c.assigneeName ?? html`<span class="muted">${t.unassigned}</span>`}</td>
    <td data-label="${t.createdAt}"><time datetime="${c.createdAt.toISOString()}" title="${formatDateTime(c.createdAt, ctx.locale)}">${shortDates[ctx.locale].format(c.createdAt)}</time></td>
  </tr>`,
  )}
  </tbody>
</table>`;
}

export const NOTE_MAX = 5000;

/** The staff case page's assignment and notepad sections (never on a client page). */
export function caseWorkSections(ctx: PageContext, kase: AssignableCase, work: CaseWork): Html {
  const t = ctx.t.caseList;
  const assigneeName = work.staff.find((s) => s.id === kase.assignee_account_id)?.fullName ?? null;
  const assignError = work.error === 'unknown-assignee' ? t.unknownAssignee : undefined;
  const noteError =
    work.error === 'note-empty' ? t.noteRequired : work.error === 'note-long' ? t.noteTooLong(NOTE_MAX) : undefined;
  return html`<div class="case-work">
<section class="card" id="attribution" aria-labelledby="attribution-title">
  <h2 id="attribution-title">${t.assignmentTitle}</h2>
  ${work.done === 'assigned' ? html`<p class="flash info" role="status">${t.assigned(assigneeName)}</p>` : ''}
  ${assignError ? html`<div class="errors" role="alert"><p>${assignError}</p></div>` : ''}
  <form method="post" action="/back-office/dossiers/${kase.id}/attribution" class="assign-form">
    ${csrfField(ctx)}
    <label for="assignee">${t.assignTo}</label>
    <select id="assignee" name="assignee">
      ${option('', t.unassigned, kase.assignee_account_id === null)}
      ${work.staff.map((s) => option(s.id, s.fullName, s.id === kase.assignee_account_id))}
    </select>
    <button type="submit">${t.assign}</button>
  </form>
</section>
<section class="card notepad" id="bloc-notes" aria-labelledby="notepad-title">
  <h2 id="notepad-title">${t.notepadTitle}</h2>
  <p class="help">${t.notepadHelp}</p>
  ${work.done === 'noted' ? html`<p class="flash info" role="status">${t.noteAdded}</p>` : ''}
  ${noteError ? html`<div class="errors" role="alert"><p>${noteError}</p></div>` : ''}
  <form method="post" action="/back-office/dossiers/${kase.id}/bloc-notes">
    ${csrfField(ctx)}
    <label for="note">${t.noteLabel}</label>
    <textarea id="note" name="note" rows="3" maxlength="${NOTE_MAX}" required${noteError ? html` aria-invalid="true"` : ''}></textarea>
    <button type="submit" class="primary">${t.addNote}</button>
  </form>
  ${
    work.notes.length === 0
      ? html`<p class="muted">${t.noNotes}</p>`
      : html`<ol class="notes">${work.notes.map(
          (n) =>
            html`<li><p class="meta">${t.noteBy(n.authorName)} · <time datetime="${n.createdAt.toISOString()}">${formatDateTime(n.createdAt, ctx.locale)}</time></p><div class="body">${multiline(n.body)}</div></li>`,
        )}</ol>`
  }
</section>
</div>`;
}
