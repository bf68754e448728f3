// The case record sections (seed 003, II.3): on the staff case page the details (summary,
// conclusions), the payment state and amount, "tell the client", the steps and the files with
// their downloads; on the client's case page the payment state, why downloads are stamped or
// blocked, and the files to download. Also the unpaid-cases setting and the client exemption.
import { formatEuros, typedAmount } from '../../../../domain/case-record.js';
import { UNPAID_MODES, downloadDecision } from '../../../../domain/downloads.js';
import { formatDateTime, type Locale, type Messages } from '../../../../i18n/index.js';
import { ACCEPT_ATTRIBUTE } from '../../../../domain/files.js';
import { html, multiline, type Html } from '../../../../domain/html.js';
import { csrfField, layout, type PageContext } from '../../../views/layout.js';
import type { CaseRecordTyped, FileAccess, RecordCase, RecordView, UnpaidMode } from './view-models.js';

export type CaseRecordFlash =
  'record' | 'amount' | 'paid' | 'paid-notified' | 'unpaid' | 'stale' | 'files' | 'deleted' | 'notified';

/** The confirmation after a case-record form, from the page's query (`ok=…`). */
export function caseRecordFlash(t: Messages, query: { ok?: string; n?: string; name?: string }): string | undefined {
  const r = t.caseRecord;
  switch (query.ok as CaseRecordFlash | undefined) {
    case 'record':
      return r.recordSaved;
    case 'amount':
      return r.amountSaved;
    case 'paid':
      return r.markedPaid;
    case 'paid-notified':
      return r.markedPaidNotified;
    case 'unpaid':
      return r.markedUnpaid;
    case 'stale':
      return r.paymentStale;
    case 'files':
      return r.filesAdded(Number.parseInt(query.n ?? '1', 10) || 1);
    case 'deleted':
      return r.fileDeleted(query.name ?? '');
    case 'notified':
      return r.notified;
    default:
      return undefined;
  }
}

function fileSize(bytes: number, locale: Locale): string {
  const kb = bytes / 1024;
  const number = new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 });
  return kb < 1024
    ? `${number.format(Math.max(kb, 0.1))} ${locale === 'fr' ? 'Ko' : 'KB'}`
    : `${number.format(kb / 1024)} ${locale === 'fr' ? 'Mo' : 'MB'}`;
}

function when(ctx: PageContext, at: Date): Html {
  return html`<time datetime="${at.toISOString()}">${formatDateTime(at, ctx.locale)}</time>`;
}

function amountText(ctx: PageContext, kase: RecordCase): string {
  return kase.payment_amount_cents === null
    ? ctx.t.caseRecord.noAmount
    : formatEuros(kase.payment_amount_cents, ctx.locale);
}

function downloadStateBadge(ctx: PageContext, record: RecordView): Html {
  const r = ctx.t.caseRecord;
  return html`<p class="download-state">${r.downloadStateLabel} <span class="badge dl-${record.downloadState}">${r.downloadState[record.downloadState]}</span></p>`;
}

function detailsSection(ctx: PageContext, kase: RecordCase, typed: CaseRecordTyped): Html {
  const r = ctx.t.caseRecord;
  const base = `/back-office/dossiers/${kase.id}`;
  return html`<section class="card record-details" id="details" aria-labelledby="details-title">
  <h2 id="details-title">${r.detailsTitle}</h2>
  <form method="post" action="${base}/fiche" novalidate>
    ${csrfField(ctx)}
    <label for="record-summary">${r.summary}</label>
    <textarea id="record-summary" name="summary" rows="4" maxlength="5000" aria-describedby="record-summary-help">${typed.summary ?? kase.summary}</textarea>
    <p class="help" id="record-summary-help">${r.summaryHelp}</p>
    <label for="record-conclusions">${r.conclusions}</label>
    <textarea id="record-conclusions" name="conclusions" rows="4" aria-describedby="record-conclusions-help">${typed.conclusions ?? kase.conclusions.join('\n')}</textarea>
    <p class="help" id="record-conclusions-help">${r.conclusionsHelp}</p>
    <button type="submit">${r.saveRecord}</button>
  </form>
</section>`;
}

function paymentSection(ctx: PageContext, kase: RecordCase, record: RecordView, typed: CaseRecordTyped): Html {
  const r = ctx.t.caseRecord;
  const base = `/back-office/dossiers/${kase.id}`;
  const paid = kase.payment_state === 'paid';
  return html`<section class="card record-payment" id="payment" aria-labelledby="payment-title">
  <h2 id="payment-title">${r.paymentTitle}</h2>
  <form method="post" action="${base}/paiement/etat" class="payment-toggle">
    ${csrfField(ctx)}
    <input type="hidden" name="from" value="${kase.payment_state}">
    <input type="hidden" name="to" value="${paid ? 'unpaid' : 'paid'}">
    <button type="submit" class="pay-state ${paid ? 'is-paid' : 'is-unpaid'}" aria-describedby="payment-help">${paid ? `✓ ${r.paid}` : `✗ ${r.unpaid}`}<span class="visually-hidden"> — ${paid ? r.markUnpaid : r.markPaid}</span></button>
    <p class="help" id="payment-help">${paid ? r.paidHelp : r.unpaidHelp}</p>
    ${
      paid
        ? ''
        : html`<label class="check"><input type="checkbox" name="confirm" value="on" checked aria-describedby="payment-confirm-help"> ${r.sendPaymentConfirmation}</label>
      <p class="help" id="payment-confirm-help">${r.sendPaymentConfirmationHelp}</p>`
    }
  </form>
  <p><strong>${r.amount}</strong> <span class="amount">${amountText(ctx, kase)}</span></p>
  <p class="muted">${r.restrictionNow[record.restriction]}${record.exempt ? html` ${r.exemptNote}` : ''}</p>
  <details class="edit-amount" ${typed.amount !== undefined ? 'open' : ''}>
    <summary class="button">${r.editAmount}</summary>
    <form method="post" action="${base}/paiement/montant" novalidate>
      ${csrfField(ctx)}
      <label for="payment-amount">${r.amountLabel}</label>
      <input id="payment-amount" name="amount" inputmode="decimal" autocomplete="off" maxlength="30" value="${typed.amount ?? typedAmount(kase.payment_amount_cents)}" aria-describedby="payment-amount-help">
      <p class="help" id="payment-amount-help">${r.amountHelp}</p>
      <button type="submit" class="primary">${r.saveAmount}</button>
    </form>
  </details>
</section>`;
}

function notifySection(ctx: PageContext, kase: RecordCase, clientEmail: string): Html {
  const r = ctx.t.caseRecord;
  return html`<section class="card record-notify" aria-labelledby="notify-title">
  <h2 id="notify-title">${r.notifyTitle}</h2>
  <form method="post" action="/back-office/dossiers/${kase.id}/avertir">
    ${csrfField(ctx)}
    <button type="submit" aria-describedby="notify-help">${r.notifyButton}</button>
  </form>
  <p class="help" id="notify-help">${r.notifyHelp(clientEmail)}</p>
</section>`;
}

function stepsSection(ctx: PageContext, record: RecordView): Html {
  const r = ctx.t.caseRecord;
  return html`<section class="card record-steps" id="steps" aria-labelledby="steps-title">
  <h2 id="steps-title">${r.stepsTitle}</h2>
  <ol class="steps">
    ${record.steps.map(
      (s) => html`<li class="step step-${s.kind}"><span class="step-name">${r.step[s.kind]}</span>
      ${s.kind === 'deposited' && s.detail ? html` <span class="muted">(${r.stepDeposited(Number(s.detail))})</span>` : ''}
      ${s.kind === 'file_added' && s.detail ? html` <span class="muted">${s.detail}</span>` : ''}
      ${s.kind === 'paid' && s.detail === 'confirmation' ? html` <span class="muted">(${r.stepConfirmationSent})</span>` : ''}
      <span class="muted">· ${when(ctx, s.at)}${s.by ? html` · ${r.stepBy(s.by)}` : ''}</span></li>`,
    )}
  </ol>
</section>`;
}

function historyTable(ctx: PageContext, fileName: string, history: FileAccess[]): Html {
  const r = ctx.t.caseRecord;
  if (history.length === 0) return html`<p class="muted">${r.historyEmpty}</p>`;
  return html`<table class="grid history">
    <caption class="visually-hidden">${r.history} — ${fileName}</caption>
    <thead><tr><th scope="col">${r.historyWho}</th><th scope="col">${r.historyWhen}</th><th scope="col">${r.historyFrom}</th><th scope="col">${r.historyWhat}</th></tr></thead>
    <tbody>${history.map(
      (
        h,
      ) => html`<tr><td data-label="${r.historyWho}">${h.actorName ?? '—'} <span class="muted">(${r.actorKind[h.actorKind] ?? h.actorKind})</span></td>
      <td data-label="${r.historyWhen}">${when(ctx, h.at)}</td><td data-label="${r.historyFrom}">${h.ip ?? '—'}</td><td data-label="${r.historyWhat}">${r.variant[h.variant] ?? h.variant}</td></tr>`,
    )}</tbody>
  </table>`;
}

function filesSection(ctx: PageContext, kase: RecordCase, record: RecordView): Html {
  const r = ctx.t.caseRecord;
  const base = `/back-office/dossiers/${kase.id}/fichiers`;
  return html`<section class="card record-files" id="files" aria-labelledby="files-title">
  <h2 id="files-title">${r.filesTitle}</h2>
  ${downloadStateBadge(ctx, record)}
  ${
    record.files.length === 0
      ? html`<p class="muted">${r.noFiles}</p>`
      : html`<ul class="case-files">${record.files.map(
          (f) => html`<li class="case-file" id="file-${f.id}">
      <div class="file-head">
        <a href="${base}/${f.id}" download aria-label="${r.downloadLabel(f.file_name)}" class="file-name">${f.file_name}</a>
        <span class="muted">(${fileSize(f.size_bytes, ctx.locale)}${f.page_count ? `, ${f.page_count} p.` : ''}) · ${when(ctx, f.created_at)}</span>
      </div>
      <p class="file-count"><span class="badge ${f.downloads.clientCount > 0 ? 'dl-downloaded' : 'dl-not_downloaded'}">${r.downloads(f.downloads.clientCount)}</span></p>
      <div class="file-actions">
        <a class="button" href="${base}/${f.id}" download>${r.download}</a>
        <details class="confirm-delete">
          <summary class="button danger" aria-label="${r.deleteFileLabel(f.file_name)}">${r.deleteFile}</summary>
          <form method="post" action="${base}/${f.id}/suppression">
            ${csrfField(ctx)}<p class="help">${r.deleteConfirmHelp}</p><button type="submit" class="danger">${r.deleteConfirm(f.file_name)}</button>
          </form>
        </details>
      </div>
      <details class="history-box"><summary>${r.history} (${f.downloads.totalCount})</summary>${historyTable(ctx, f.file_name, f.downloads.history)}</details>
    </li>`,
        )}</ul>`
  }
  <form method="post" action="${base}" enctype="multipart/form-data" class="add-files" novalidate>
    ${csrfField(ctx)}
    <label for="case-files-input">${r.chooseFiles}</label>
    <input id="case-files-input" type="file" name="files" multiple accept="${ACCEPT_ATTRIBUTE}" aria-describedby="case-files-help">
    <p class="help" id="case-files-help">${r.filesHelp}</p>
    <button type="submit" class="primary">${r.addFiles}</button>
  </form>
</section>`;
}

/** The staff case page's record sections, in one block. */
export function staffCaseRecordSections(
  ctx: PageContext,
  kase: RecordCase,
  clientEmail: string,
  record: RecordView,
  typed: CaseRecordTyped = {},
): Html {
  return html`<div class="record-grid">
${detailsSection(ctx, kase, typed)}
${paymentSection(ctx, kase, record, typed)}
${notifySection(ctx, kase, clientEmail)}
${stepsSection(ctx, record)}
</div>
${filesSection(ctx, kase, record)}`;
}

/** The client's case page: payment, why downloads are stamped or blocked, summary and files. */
export function clientCaseRecordSection(ctx: PageContext, kase: RecordCase, record: RecordView): Html {
  const r = ctx.t.caseRecord;
  const paid = kase.payment_state === 'paid';
  const amount = kase.payment_amount_cents === null ? null : formatEuros(kase.payment_amount_cents, ctx.locale);
  return html`<section class="card client-record" id="case-files" aria-labelledby="client-files-title">
  <h2 id="client-files-title">${r.clientFilesTitle}</h2>
  <p class="payment-line"><strong>${r.clientPayment}</strong> <span class="badge ${paid ? 'pay-paid' : 'pay-unpaid'}">${paid ? r.clientPaid : r.clientUnpaid(amount)}</span></p>
  ${record.restriction === 'watermark' ? html`<p class="flash restriction notice" role="note">${r.clientWatermark}</p>` : ''}
  ${record.restriction === 'block' ? html`<p class="flash error restriction" role="note">${r.clientBlock}</p>` : ''}
  ${kase.summary ? html`<h3>${r.summary}</h3><p>${multiline(kase.summary)}</p>` : ''}
  ${kase.conclusions.length > 0 ? html`<h3>${r.conclusions}</h3><ul class="conclusions">${kase.conclusions.map((c) => html`<li>${c}</li>`)}</ul>` : ''}
  ${
    record.files.length === 0
      ? html`<p class="muted">${r.clientNoFiles}</p>`
      : html`<ul class="case-files client">${record.files.map((f) => {
          const decision = downloadDecision('client', record.restriction, f.content_type);
          const size = html`<span class="muted">(${fileSize(f.size_bytes, ctx.locale)}${f.page_count ? `, ${f.page_count} p.` : ''})</span>`;
          // A file the rule refuses is named, not linked: a link would only fail.
          return decision === 'block'
            ? html`<li class="case-file blocked"><span class="file-name">${f.file_name}</span> ${size} <span class="badge pay-unpaid">${r.clientFileBlocked}</span></li>`
            : html`<li class="case-file"><a href="/dossiers/${kase.id}/fichiers/${f.id}" download aria-label="${r.downloadLabel(f.file_name)}">${f.file_name}</a> ${size}${decision === 'stamp' ? html` <span class="badge">${r.clientFileStamped}</span>` : ''}</li>`;
        })}</ul>`
  }
</section>`;
}

/** A refused download: why, and the way back. */
export function downloadRefusedPage(ctx: PageContext, caseId: string, message: string): Html {
  const r = ctx.t.caseRecord;
  return layout(
    ctx,
    r.refusedTitle,
    html`<h1>${r.refusedTitle}</h1>
<div class="errors" role="alert"><p>${message}</p></div>
<p><a class="button" href="/dossiers/${caseId}#case-files">← ${r.backToCase}</a></p>`,
  );
}

/** The unpaid-cases setting, on the settings page (administrators change it). */
export function unpaidSettingsSection(ctx: PageContext, mode: UnpaidMode): Html {
  const r = ctx.t.caseRecord;
  const admin = ctx.user?.admin === true;
  return html`<section class="card" id="unpaid" aria-labelledby="unpaid-title">
  <h2 id="unpaid-title">${r.unpaidSettingsTitle}</h2>
  <form method="post" action="/back-office/reglages/impayes">
    ${csrfField(ctx)}
    <fieldset aria-describedby="unpaid-help">
      <legend class="visually-hidden">${r.unpaidSettingsTitle}</legend>
      ${UNPAID_MODES.map(
        (m) =>
          html`<label class="check"><input type="radio" name="unpaidMode" value="${m}" ${m === mode ? 'checked' : ''} ${admin ? '' : 'disabled'}> ${r.unpaidMode[m]}</label>`,
      )}
    </fieldset>
    <p class="help" id="unpaid-help">${r.unpaidSettingsHelp}</p>
    ${admin ? html`<button type="submit" class="primary">${r.unpaidSave}</button>` : ''}
  </form>
</section>`;
}

/** The client record's exemption from unpaid-case restrictions. */
export function unpaidExemptSection(ctx: PageContext, clientId: string, exempt: boolean): Html {
  const r = ctx.t.caseRecord;
  return html`<section class="card" id="unpaid-exempt" aria-labelledby="unpaid-exempt-title">
  <h2 id="unpaid-exempt-title">${r.exemptTitle}</h2>
  <form method="post" action="/back-office/clients/${clientId}/impayes">
    ${csrfField(ctx)}
    <label class="check"><input type="checkbox" name="exempt" value="1" ${exempt ? 'checked' : ''}> ${r.exemptLabel}</label>
    <button type="submit">${r.exemptSave}</button>
  </form>
</section>`;
}

/** The "notify the client" box of the new-case form. */
export function notifyOnOpenField(ctx: PageContext, checked: boolean): Html {
  const r = ctx.t.caseRecord;
  return html`<label class="check"><input type="checkbox" name="notifyClient" value="1" ${checked ? 'checked' : ''} aria-describedby="notify-open-help"> ${r.notifyOnOpen}</label>
<p class="help" id="notify-open-help">${r.notifyOnOpenHelp}</p>`;
}
