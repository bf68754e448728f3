// Back-office: client records (search, list) and one record with its contacts, actions, files
// and observation.
import { formatDateTime } from '../../../i18n/index.js';
import { dataRightsSection } from './data-rights-pages.js';
import { html, multiline, type Html } from '../../../domain/html.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../views/layout.js';
import { unpaidExemptSection } from '../cases/parts.js';
import {
  CONTACT_KINDS,
  CONTACT_STATES,
  REASON_MAX,
  type ClientHeading,
  type ClientListItem,
  type ClientRecordView,
  type ClientViewLogEntry,
  type ContactKind,
  type ContactState,
  type ContactView,
} from './view-models.js';

export function clientListPage(
  ctx: PageContext,
  search: string,
  list: { items: ClientListItem[]; page: number; pages: number },
) {
  const t = ctx.t.clients;
  const query = (page: number) =>
    `/back-office/clients?page=${page}${search ? `&q=${encodeURIComponent(search)}` : ''}`;
  return layout(
    ctx,
    t.title,
    html`<div class="heading-row"><h1>${t.title}</h1><a class="button" href="/back-office/exports/contacts.xlsx" download>${ctx.t.caseList.exportContacts}</a></div>
<form method="get" action="/back-office/clients" class="filters" role="search">
  <label for="q">${t.search}</label>
  <input id="q" name="q" type="search" value="${search}">
  <button type="submit">${t.searchButton}</button>
</form>
${
  list.items.length === 0
    ? html`<p class="card">${t.none}</p>`
    : html`<table class="grid">
  <thead><tr><th scope="col">${t.name}</th><th scope="col">${t.email}</th><th scope="col">${t.defaults}</th></tr></thead>
  <tbody>
  ${list.items.map(
    (c) => html`<tr>
    <td><a href="/back-office/clients/${c.id}">${c.fullName}</a></td>
    <td>${c.email}</td>
    <td>${c.defaults.length === 0 ? html`<span class="muted">—</span>` : c.defaults.map((d) => html`<div><span class="muted">${t.kinds[d.kind]} :</span> ${d.value.split('\n')[0]}</div>`)}</td>
  </tr>`,
  )}
  </tbody>
</table>`
}
${
  list.pages > 1
    ? html`<nav class="pager" aria-label="${ctx.t.conversations.page(list.page, list.pages)}">
  ${list.page > 1 ? html`<a rel="prev" href="${query(list.page - 1)}">${ctx.t.conversations.previous}</a>` : ''}
  <span>${ctx.t.conversations.page(list.page, list.pages)}</span>
  ${list.page < list.pages ? html`<a rel="next" href="${query(list.page + 1)}">${ctx.t.conversations.next}</a>` : ''}
</nav>`
    : ''
}`,
  );
}

/** Heads of service open a read-only view of the client's space with a reason; the log below. */
function clientViewSection(
  ctx: PageContext,
  clientId: string,
  views: ClientViewLogEntry[],
  typedReason: string | undefined,
): Html {
  const v = ctx.t.clientView;
  return html`<section class="card" id="client-view" aria-labelledby="client-view-title">
  <h2 id="client-view-title">${v.title}</h2>
  <p class="help">${v.intro}</p>
  <form method="post" action="/back-office/clients/${clientId}/vue" novalidate>
    ${csrfField(ctx)}
    <label for="view-reason">${v.reasonLabel}</label>
    <textarea id="view-reason" name="reason" rows="2" maxlength="${REASON_MAX}" required aria-describedby="view-reason-help">${typedReason ?? ''}</textarea>
    <p class="help" id="view-reason-help">${v.reasonHelp}</p>
    <button type="submit">${v.open}</button>
  </form>
  <h3>${v.historyTitle}</h3>
  ${
    views.length === 0
      ? html`<p class="muted">${v.historyEmpty}</p>`
      : html`<div class="table-wrap"><table class="history">
    <thead><tr><th scope="col">${v.historyWhen}</th><th scope="col">${v.historyWho}</th><th scope="col">${v.historyReason}</th><th scope="col">${v.historyPages}</th></tr></thead>
    <tbody>${views.map(
      (e) =>
        html`<tr><td data-label="${v.historyWhen}">${formatDateTime(e.startedAt, ctx.locale)}</td><td data-label="${v.historyWho}">${e.staffName}</td><td data-label="${v.historyReason}">${e.reason}</td><td data-label="${v.historyPages}">${String(e.pages)}</td></tr>`,
    )}</tbody>
  </table></div>`
  }
</section>`;
}

function stateBadge(ctx: PageContext, state: ContactState): Html {
  return html`<span class="badge contact-${state}">${ctx.t.clients.states[state]}</span>`;
}

function telHref(value: string): string {
  return `tel:${value.replace(/[^\d+]/g, '')}`;
}

function contactRow(ctx: PageContext, view: ClientRecordView, c: ContactView): Html {
  const t = ctx.t.clients;
  const base = `/back-office/clients/${view.client.id}/coordonnees/${c.id}`;
  const usable = c.state !== 'invalid';
  const smsTyped = view.typed?.sms?.contactId === c.id ? view.typed.sms.body : '';
  return html`<li class="contact ${c.state === 'invalid' ? 'invalid' : ''}" id="contact-${c.id}">
  <div class="contact-head">
    <span class="contact-value">${c.kind === 'postal' ? multiline(c.value) : c.value}</span>
    ${stateBadge(ctx, c.state)}
  </div>
  <div class="contact-tools">
    <form method="post" action="${base}/etat" class="state-form">
      ${csrfField(ctx)}
      <label for="state-${c.id}" class="visually-hidden">${t.setState} — ${c.value}</label>
      <select id="state-${c.id}" name="state">
        ${CONTACT_STATES.map((s) => html`<option value="${s}" ${s === c.state ? 'selected' : ''}>${t.states[s]}</option>`)}
      </select>
      <button type="submit">${t.apply}</button>
    </form>
    ${usable && c.kind === 'phone' ? html`<a class="button" href="${telHref(c.value)}">${t.call}</a>` : ''}
    ${usable && c.kind === 'email' ? html`<a class="button" href="mailto:${c.value}">${t.mail}</a>` : ''}
    ${
      usable && c.kind === 'phone'
        ? html`<details ${smsTyped ? 'open' : ''}><summary class="button">${t.sms}</summary>
      <form method="post" action="${base}/sms">
        ${csrfField(ctx)}
        <label for="sms-${c.id}">${t.smsBody}</label>
        <textarea id="sms-${c.id}" name="body" rows="3" maxlength="640">${smsTyped}</textarea>
        <button type="submit" class="primary">${t.sendSms}</button>
      </form></details>`
        : ''
    }
    ${
      usable && c.kind === 'postal'
        ? html`<details><summary class="button">${t.letter}</summary>
      <form method="post" action="${base}/courrier">
        ${csrfField(ctx)}
        <label for="letter-${c.id}">${t.letterNote}</label>
        <input id="letter-${c.id}" name="body" maxlength="500">
        <button type="submit" class="primary">${t.letter}</button>
      </form></details>`
        : ''
    }
  </div>
</li>`;
}

/** The contacts card of the record: by kind, invalid ones hidden unless asked, and the add form. */
function contactsSection(ctx: PageContext, view: ClientRecordView) {
  const t = ctx.t.clients;
  const invalidCount = view.contacts.filter((x) => x.state === 'invalid').length;
  const shown = view.showInvalid ? view.contacts : view.contacts.filter((x) => x.state !== 'invalid');
  const byKind = (kind: ContactKind) => shown.filter((x) => x.kind === kind);
  const url = `/back-office/clients/${view.client.id}`;
  return html`<section class="card" aria-labelledby="contacts-title">
  <div class="heading-row"><h2 id="contacts-title">${t.contacts}</h2>
  ${
    invalidCount > 0
      ? view.showInvalid
        ? html`<a href="${url}">${t.hideInvalid}</a>`
        : html`<a href="${url}?invalides=1">${t.showInvalid(invalidCount)}</a>`
      : ''
  }</div>
  ${CONTACT_KINDS.map(
    (kind) => html`<h3>${t.kinds[kind]}</h3>
  ${byKind(kind).length === 0 ? html`<p class="muted">—</p>` : html`<ul class="contacts">${byKind(kind).map((x) => contactRow(ctx, view, x))}</ul>`}`,
  )}
  <details ${view.typed?.value !== undefined ? 'open' : ''}><summary class="button">${t.addContact}</summary>
  <form method="post" action="${url}/coordonnees" novalidate>
    ${csrfField(ctx)}
    <label for="kind">${t.kinds.postal} / ${t.kinds.email} / ${t.kinds.phone}</label>
    <select id="kind" name="kind">${CONTACT_KINDS.map((k) => html`<option value="${k}" ${view.typed?.kind === k ? 'selected' : ''}>${t.kinds[k]}</option>`)}</select>
    <label for="value">${t.value}</label>
    <textarea id="value" name="value" rows="3" maxlength="500">${view.typed?.value ?? ''}</textarea>
    <button type="submit" class="primary">${t.add}</button>
  </form></details>
</section>`;
}

export function clientRecordPage(ctx: PageContext, view: ClientRecordView) {
  const t = ctx.t.clients;
  const c = view.client;
  const url = `/back-office/clients/${c.id}`;
  return layout(
    ctx,
    c.fullName,
    html`<p><a href="/back-office/clients">← ${t.back}</a></p>
<div class="heading-row"><h1>${c.fullName}</h1></div>
<p class="muted">${t.email} : ${c.email}</p>
${errorSummary(ctx, view.errors)}
<div class="record">
${contactsSection(ctx, view)}
<div>
${unpaidExemptSection(ctx, c.id, c.unpaidExempt)}
${view.views ? clientViewSection(ctx, c.id, view.views, view.typed?.viewReason) : ''}
<section class="card" aria-labelledby="observation-title">
  <h2 id="observation-title">${t.observation}</h2>
  <form method="post" action="${url}/observation">
    ${csrfField(ctx)}
    <label for="observation" class="visually-hidden">${t.observation}</label>
    <textarea id="observation" name="observation" rows="5" maxlength="5000" aria-describedby="observation-help">${view.typed?.observation ?? c.observation}</textarea>
    <p class="help" id="observation-help">${t.observationHelp}</p>
    <button type="submit">${t.saveObservation}</button>
  </form>
</section>
${dataRightsSection(ctx, c.id)}
<section class="card" aria-labelledby="files-title">
  <h2 id="files-title">${t.files}</h2>
  ${
    view.files.length === 0
      ? html`<p class="muted">${t.noFiles}</p>`
      : html`<ul class="files">${view.files.map((f) => html`<li><a href="${url}/fichiers/${f.id}" download>${f.fileName}</a> <span class="muted">(${Math.max(1, Math.round(f.sizeBytes / 1024))} Ko)</span></li>`)}</ul>`
  }
  <form method="post" action="${url}/fichiers" enctype="multipart/form-data">
    ${csrfField(ctx)}
    <label for="files">${t.addFile}</label>
    <input id="files" name="files" type="file" accept=".pdf,.png,.jpg,.jpeg,.tif,.tiff,.bmp,.gif" aria-describedby="files-help">
    <p class="help" id="files-help">${ctx.t.files.help}</p>
    <button type="submit">${t.upload}</button>
  </form>
</section>
<section class="card" aria-labelledby="history-title">
  <h2 id="history-title">${t.history}</h2>
  ${
    view.actions.length === 0
      ? html`<p class="muted">${t.noHistory}</p>`
      : html`<ul class="history">${view.actions.map(
          (a) =>
            html`<li><time datetime="${a.createdAt.toISOString()}">${formatDateTime(a.createdAt, ctx.locale)}</time> · <strong>${t.actionKinds[a.kind] ?? a.kind}</strong>${a.contactValue ? html` · ${a.contactValue.split('\n')[0]}` : ''}${a.staffName ? html` · ${a.staffName}` : ''}${a.body ? html`<br><span class="muted">${a.body}</span>` : ''}</li>`,
        )}</ul>`
  }
</section>
</div>
</div>`,
  );
}

export function confirmDefaultPage(
  ctx: PageContext,
  client: ClientHeading,
  contact: ContactView,
  current: ContactView,
) {
  const t = ctx.t.clients;
  return layout(
    ctx,
    t.confirmDefaultTitle,
    html`<section class="card narrow" aria-labelledby="confirm-title">
  <h1 id="confirm-title">${t.confirmDefaultTitle}</h1>
  <p>${t.confirmDefault(t.kinds[contact.kind], current.value, contact.value)}</p>
  <form method="post" action="/back-office/clients/${client.id}/coordonnees/${contact.id}/etat">
    ${csrfField(ctx)}
    <input type="hidden" name="state" value="default">
    <input type="hidden" name="confirm" value="1">
    <div class="actions">
      <button type="submit" class="primary">${t.confirm}</button>
      <a href="/back-office/clients/${client.id}">${t.cancel}</a>
    </div>
  </form>
</section>`,
  );
}
