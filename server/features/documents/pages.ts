// Pages of the document collection: the client's cases and deposit page (categories, drop
// zones, pickers, camera, splitting zone, comment), and the staff review page. Every page works
// without JavaScript; /static/documents.js adds drag-and-drop, progress and thumbnails.
// The parts take this feature's view models (view-models.ts); the whole case page takes CaseView
// (server/features/cases/case-view.ts), shared with the case record's pages, which still holds the case row.
import { formatDate, formatDateTime } from '../../../i18n/index.js';
import { ACCEPT_ATTRIBUTE } from '../../../domain/files.js';
import { Html, html, multiline } from '../../../domain/html.js';
import { accessNotice, staffPeopleSection } from '../contributors/pages.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../views/layout.js';
import { caseWorkSections, type CaseView } from '../cases/parts.js';
import {
  categoryName,
  inLocale,
  type CaseListItem,
  type CaseRef,
  type CategoryStateView,
  type DocumentItem,
} from './view-models.js';
import { clientCaseRecordSection, staffCaseRecordSections } from '../cases/parts.js';

type Locale = 'fr' | 'en';

export type { CaseView };

/** JSON inside a script element: "<" escaped so that no text can close the element. */
function jsonForScript(value: unknown): Html {
  return new Html(JSON.stringify(value).replace(/</g, '\\u003c'));
}

function searchForm(ctx: PageContext, action: string, query: string): Html {
  const t = ctx.t.documents;
  return html`<form method="get" action="${action}" class="filters search" role="search">
  <label for="q">${t.searchLabel}</label>
  <input id="q" name="q" type="search" value="${query}" autocomplete="off">
  <button type="submit">${t.searchButton}</button>
</form>`;
}

function notFound(ctx: PageContext): Html {
  return html`<div class="errors" role="alert"><p>${ctx.t.documents.notFound}</p><p class="help">${ctx.t.documents.notFoundHelp}</p></div>`;
}

export function caseListPage(ctx: PageContext, list: { items: CaseListItem[]; query: string; staff: boolean }): Html {
  const t = ctx.t.documents;
  const base = list.staff ? '/back-office/dossiers' : '/dossiers';
  return layout(
    ctx,
    list.staff ? t.staffListTitle : t.listTitle,
    html`<h1>${list.staff ? t.staffListTitle : t.listTitle}</h1>
${list.staff ? html`<p><a class="button primary" href="/back-office/dossiers/nouveau">${ctx.t.caseAdmin.newCase}</a></p>` : ''}
${searchForm(ctx, base, list.query)}
${list.items.length === 0 ? (list.query ? notFound(ctx) : html`<p class="card">${t.none}</p>`) : ''}
<ul class="conversation-list case-list">
  ${list.items.map(
    (c) => html`<li><a href="${base}/${c.id}">
    <span class="subject">${c.title}</span>
    <span class="meta">${t.caseNumber(c.number)} · ${c.templateName}${list.staff ? html` · ${c.clientName}` : ''}</span>
    <span class="badges"><span class="badge case-${c.status}">${t.caseStatus[c.status]}</span>${list.staff && c.pending > 0 ? html` <span class="badge new">${t.toReview(c.pending)}</span>` : ''}</span>
  </a></li>`,
  )}
</ul>`,
  );
}

function fileSize(bytes: number, locale: Locale): string {
  const kb = bytes / 1024;
  const number = new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 });
  return kb < 1024
    ? `${number.format(Math.max(kb, 0.1))} ${locale === 'fr' ? 'Ko' : 'KB'}`
    : `${number.format(kb / 1024)} ${locale === 'fr' ? 'Mo' : 'MB'}`;
}

function reasonText(ctx: PageContext, state: CategoryStateView, doc: DocumentItem): string {
  const reason = state.category.refusal_reasons.find((r) => r.code === doc.rejection_reason);
  const main = reason ? inLocale(reason, ctx.locale) : (doc.rejection_reason ?? '');
  return doc.review_comment ? `${main} — ${doc.review_comment}` : main;
}

function roleName(ctx: PageContext, role: string): string {
  return ctx.t.documents.role[role] ?? role;
}

function progress(ctx: PageContext, states: readonly CategoryStateView[]): Html {
  const done = states.filter((s) => s.state === 'complete' || s.state === 'optional').length;
  return html`<div class="progress-line"><progress max="${states.length}" value="${done}" aria-hidden="true"></progress> <span>${ctx.t.documents.progress(done, states.length)}</span></div>`;
}

function documentList(
  ctx: PageContext,
  kase: CaseRef,
  state: CategoryStateView,
  viewer: 'client' | 'staff',
  canWithdraw: (d: DocumentItem) => boolean,
): Html {
  const t = ctx.t.documents;
  if (state.documents.length === 0) return html``;
  const href = (d: DocumentItem) => `${viewer === 'staff' ? '/back-office' : ''}/dossiers/${kase.id}/documents/${d.id}`;
  // A client's link is a plain link: the server answers with an attachment, or with a page that
  // says why not (an unpaid case), which a `download` link would turn into a failed download.
  return html`<ul class="documents" aria-label="${t.yourDocuments}">
  ${state.documents.map(
    (d) => html`<li class="doc doc-${d.status}" id="doc-${d.id}">
    <span class="doc-name"><a href="${href(d)}"${viewer === 'staff' ? html` download` : ''} aria-label="${t.download(d.file_name)}">${d.file_name}</a>
      <span class="muted">(${fileSize(d.size_bytes, ctx.locale)}${d.page_count ? `, ${d.page_count} p.` : ''})</span></span>
    <span class="badge doc-${d.status}">${t.status[d.status]}</span>
    ${d.status === 'rejected' ? html`<span class="refusal">${t.refusedBecause(reasonText(ctx, state, d))}</span>` : ''}
    ${
      viewer === 'client' && d.status === 'pending' && canWithdraw(d)
        ? html`<form method="post" action="/dossiers/${kase.id}/documents/${d.id}/retrait" class="inline withdraw">
          ${csrfField(ctx)}<button type="submit" class="link" aria-label="${t.withdrawLabel(d.file_name)}">${t.withdraw}</button>
        </form>`
        : ''
    }
  </li>`,
  )}
</ul>`;
}

function depositForm(ctx: PageContext, kase: CaseRef, state: CategoryStateView): Html {
  const t = ctx.t.documents;
  const id = state.category.id;
  const label = categoryName(state.category, ctx.locale);
  return html`<form method="post" action="/dossiers/${kase.id}/documents" enctype="multipart/form-data" class="deposit" data-category="${id}" data-label="${label}" novalidate>
    ${csrfField(ctx)}
    <input type="hidden" name="category" value="${id}">
    <div class="pickers">
      <input id="f-${id}" class="file" type="file" name="files" multiple accept="${ACCEPT_ATTRIBUTE}">
      <label class="picker" for="f-${id}">${t.choose}<span class="visually-hidden"> — ${label}</span></label>
      <input id="c-${id}" class="file camera" type="file" name="files" accept="image/*" capture="environment">
      <label class="picker camera" for="c-${id}">${t.photo}<span class="visually-hidden"> — ${label}</span></label>
      <span class="drop-hint">${t.dropHere}</span>
    </div>
    <button type="submit" class="primary nojs-submit">${t.deposit}</button>
    <div class="upload-status" role="status" aria-live="polite"></div>
  </form>`;
}

function categoryCard(
  ctx: PageContext,
  kase: CaseRef,
  state: CategoryStateView,
  canDeposit: boolean,
  canWithdraw: (d: DocumentItem) => boolean,
): Html {
  const t = ctx.t.documents;
  const c = state.category;
  const label = categoryName(c, ctx.locale);
  return html`<li class="category state-${state.state}" id="cat-${c.code}" data-category="${c.id}" data-label="${label}">
  <div class="category-head">
    <h2 id="h-${c.id}">${label}</h2>
    <span class="badge state-${state.state}">${state.state === 'complete' ? '✓ ' : ''}${t.state[state.state]}</span>
  </div>
  ${state.state === 'complete' ? html`<p class="done-help">${t.completeHelp}</p>` : ''}
  <details class="accepts"><summary>${t.whichDocuments}</summary>
    <ul>${c.accepts.map((a) => html`<li>${inLocale(a, ctx.locale)}</li>`)}</ul>
  </details>
  ${
    state.missing.length > 0
      ? html`<div class="missing"><p>${t.missing}</p><ul>${state.missing.map((p) => html`<li>${inLocale(p.label, ctx.locale)} <span class="muted">(${roleName(ctx, p.role)})</span></li>`)}</ul></div>`
      : ''
  }
  ${documentList(ctx, kase, state, 'client', canWithdraw)}
  ${canDeposit && state.state !== 'complete' ? depositForm(ctx, kase, state) : ''}
</li>`;
}

function splitZone(ctx: PageContext, kase: CaseRef, states: readonly CategoryStateView[]): Html {
  const t = ctx.t.documents;
  const open = states.filter((s) => s.state !== 'complete');
  if (open.length === 0) return html``;
  return html`<section class="card split" id="split" aria-labelledby="split-title">
  <h2 id="split-title">${t.splitTitle}</h2>
  <p class="help" id="split-help">${t.splitHelp}</p>
  <form method="post" action="/dossiers/${kase.id}/decoupage" enctype="multipart/form-data" id="split-form" novalidate>
    ${csrfField(ctx)}
    <div class="split-drop">
      <label for="split-file">${t.splitFile}</label>
      <input id="split-file" type="file" name="files" accept=".pdf,application/pdf" aria-describedby="split-help">
    </div>
    <div class="thumbs-panel" hidden>
      <p class="help" id="thumbs-help">${t.splitSelectHelp}</p>
      <ol class="thumbs" aria-describedby="thumbs-help"></ol>
      <div class="move">
        <label for="split-target">${t.splitMoveTo}</label>
        <select id="split-target">
          ${open.map((s) => html`<option value="${s.category.id}">${categoryName(s.category, ctx.locale)}</option>`)}
        </select>
        <button type="button" id="split-move">${t.splitMove}</button>
      </div>
    </div>
    <details class="page-fields-box">
    <summary>${t.splitByNumber}</summary>
    <fieldset class="page-fields">
      <legend class="visually-hidden">${t.splitByNumber}</legend>
      <p class="help" id="pages-help">${t.splitPagesHelp}</p>
      ${open.map(
        (s) => html`<label for="pages-${s.category.id}">${t.splitPagesFor(categoryName(s.category, ctx.locale))}</label>
      <input id="pages-${s.category.id}" name="pages-${s.category.id}" data-category="${s.category.id}" inputmode="numeric" autocomplete="off" aria-describedby="pages-help">`,
      )}
    </fieldset>
    </details>
    <button type="submit" class="primary">${t.splitSubmit}</button>
    <div class="upload-status" role="status" aria-live="polite"></div>
  </form>
</section>`;
}

export function caseHeader(ctx: PageContext, view: CaseView): Html {
  const t = ctx.t.documents;
  return html`<div class="heading-row">
  <h1>${view.kase.title}</h1>
  <span class="badge case-${view.kase.status}">${t.caseStatus[view.kase.status]}</span>
</div>
<p class="muted case-meta"><strong>${view.clientName}</strong> · ${t.caseNumber(view.kase.number)} · ${view.templateName}</p>
${
  view.kase.purged_at
    ? html`<p class="flash info retention">${t.purged(formatDate(view.kase.purged_at, ctx.locale))}</p>`
    : view.record?.purgeAt
      ? html`<p class="flash notice retention">${t.purgePlanned(formatDate(view.record.purgeAt, ctx.locale))}</p>`
      : ''
}
${progress(ctx, view.states)}`;
}

export function clientCasePage(ctx: PageContext, view: CaseView, form: { errors: string[]; comment?: string }): Html {
  const t = ctx.t.documents;
  const access = view.access;
  // A head of service's read-only view shows what the client sees, without the means to act.
  const canDeposit = !ctx.view && view.kase.status !== 'closed' && (access?.permissions.deposit ?? true);
  const canWithdraw = (d: DocumentItem) =>
    canDeposit && (!access || access.kind === 'owner' || d.deposited_by === access.accountId);
  const mayWrite = !ctx.view && (access?.permissions.message ?? true);
  return layout(
    ctx,
    `${view.kase.title} · ${view.kase.number}`,
    html`<p><a href="/dossiers">← ${t.listTitle}</a></p>
${caseHeader(ctx, view)}
${errorSummary(ctx, form.errors)}
${accessNotice(ctx, view)}
${view.record ? clientCaseRecordSection(ctx, view.kase, view.record) : ''}
<div id="collection" data-case="${view.kase.id}">
${canDeposit ? html`<p class="intro">${t.intro}</p>` : view.kase.status === 'closed' ? html`<p class="card">${t.caseClosed}</p>` : ''}
<div class="collection-grid">
  ${canDeposit ? splitZone(ctx, view.kase, view.states) : ''}
  <ol class="categories">
    ${view.states.map((s) => categoryCard(ctx, view.kase, s, canDeposit, canWithdraw))}
  </ol>
</div>
</div>
${
  mayWrite
    ? html`<section class="card comment" aria-labelledby="comment-title">
  <h2 id="comment-title">${t.commentTitle}</h2>
  ${view.lastComment ? html`<div class="last-comment"><p class="muted">${t.lastComment}</p><blockquote>${multiline(view.lastComment.body)}</blockquote></div>` : ''}
  <form method="post" action="/dossiers/${view.kase.id}/commentaires" novalidate>
    ${csrfField(ctx)}
    <label for="comment">${t.commentLabel}</label>
    <textarea id="comment" name="comment" rows="3" maxlength="2000">${form.comment ?? ''}</textarea>
    <button type="submit" class="primary">${t.commentSend}</button>
  </form>
</section>`
    : ''
}
<div id="deposit-live" class="visually-hidden" role="status" aria-live="polite"></div>
<script type="application/json" id="documents-i18n">${jsonForScript(t.script)}</script>
<script type="module" src="/static/documents.js"></script>`,
  );
}

function reviewForms(
  ctx: PageContext,
  kase: CaseRef,
  state: CategoryStateView,
  doc: DocumentItem,
  depositorRole?: string,
): Html {
  const t = ctx.t.documents;
  const pieces = state.category.pieces;
  // A contributor's document most likely is the piece asked of their role.
  const firstMissing =
    (depositorRole ? state.missing.find((p) => p.role === depositorRole) : undefined)?.code ?? state.missing[0]?.code;
  const action = `/back-office/dossiers/${kase.id}/documents/${doc.id}/examen`;
  return html`<div class="review">
  <form method="post" action="${action}" class="validate">
    ${csrfField(ctx)}<input type="hidden" name="decision" value="validate">
    ${
      pieces.length > 0
        ? html`<label for="piece-${doc.id}">${t.validateAs}</label>
    <select id="piece-${doc.id}" name="piece">
      ${pieces.map((p) => html`<option value="${p.code}" ${p.code === firstMissing ? 'selected' : ''}>${inLocale(p.label, ctx.locale)} (${roleName(ctx, p.role)})</option>`)}
    </select>`
        : ''
    }
    <button type="submit" class="primary">${t.validate}</button>
  </form>
  <form method="post" action="${action}" class="reject">
    ${csrfField(ctx)}<input type="hidden" name="decision" value="reject">
    <label for="reason-${doc.id}">${t.rejectReason}</label>
    <select id="reason-${doc.id}" name="reason" required>
      <option value=""></option>
      ${state.category.refusal_reasons.filter((r) => !r.archived).map((r) => html`<option value="${r.code}">${inLocale(r, ctx.locale)}</option>`)}
    </select>
    <label for="comment-${doc.id}">${t.reviewComment}</label>
    <input id="comment-${doc.id}" name="comment" maxlength="500">
    <button type="submit">${t.reject}</button>
  </form>
</div>`;
}

export function staffCasePage(ctx: PageContext, view: CaseView & { clientEmail: string }, errors: string[]): Html {
  const t = ctx.t.documents;
  const kase = view.kase;
  const depositor = (d: DocumentItem) => view.people?.members.find((m) => m.accountId === d.deposited_by);
  return layout(
    ctx,
    `${kase.title} · ${kase.number}`,
    html`<p><a href="/back-office/dossiers">← ${t.staffListTitle}</a></p>
${caseHeader(ctx, view)}
<p class="muted">${view.clientEmail}</p>
${errorSummary(ctx, errors)}
${staffPeopleSection(ctx, view)}
${view.record ? staffCaseRecordSections(ctx, kase, view.clientEmail, view.record, view.record.typed) : ''}
<ol class="categories staff-categories">
  ${view.states.map((s) => {
    const label = categoryName(s.category, ctx.locale);
    return html`<li class="category state-${s.state}" id="cat-${s.category.code}">
    <div class="category-head"><h2>${label}</h2><span class="badge state-${s.state}">${s.state === 'complete' ? '✓ ' : ''}${t.state[s.state]}</span></div>
    ${s.missing.length > 0 ? html`<div class="missing"><p>${t.missing}</p><ul>${s.missing.map((p) => html`<li>${inLocale(p.label, ctx.locale)} <span class="muted">(${roleName(ctx, p.role)})</span></li>`)}</ul></div>` : ''}
    ${
      s.documents.length === 0
        ? html`<p class="muted">${t.noDocuments}</p>`
        : html`<ul class="documents">${s.documents.map(
            (d) => html`<li class="doc doc-${d.status}" id="doc-${d.id}">
        <span class="doc-name"><a href="/back-office/dossiers/${kase.id}/documents/${d.id}" download>${d.file_name}</a>
          <span class="muted">(${fileSize(d.size_bytes, ctx.locale)}${d.page_count ? `, ${d.page_count} p.` : ''}) · ${t.depositedAt} <time datetime="${d.created_at.toISOString()}">${formatDateTime(d.created_at, ctx.locale)}</time>${depositor(d) ? html` · ${depositor(d)?.fullName} (${roleName(ctx, depositor(d)?.role ?? '')})` : ''}</span></span>
        <span class="badge doc-${d.status}">${t.status[d.status]}</span>
        ${d.status === 'rejected' ? html`<span class="refusal">${t.refusedBecause(reasonText(ctx, s, d))}</span>` : ''}
        ${d.status === 'validated' && d.piece_code ? html`<span class="muted">${inLocale(s.category.pieces.find((p) => p.code === d.piece_code)?.label ?? { fr: d.piece_code, en: d.piece_code }, ctx.locale)}</span>` : ''}
        ${d.status === 'pending' && kase.status !== 'closed' ? reviewForms(ctx, kase, s, d, depositor(d)?.role ?? undefined) : ''}
      </li>`,
          )}</ul>`
    }
  </li>`;
  })}
</ol>
${view.lastComment ? html`<section class="card"><h2>${t.lastComment}</h2><blockquote>${multiline(view.lastComment.body)}</blockquote></section>` : ''}
${view.work ? caseWorkSections(ctx, kase, view.work) : ''}
${
  kase.status !== 'closed'
    ? html`<form method="post" action="/back-office/dossiers/${kase.id}/cloture" class="inline-action">${csrfField(ctx)}<button type="submit">${t.closeCase}</button></form>`
    : ''
}`,
  );
}
