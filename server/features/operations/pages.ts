// Pages of the development outbox: the e-mails and SMS that a development run "sent".
import { formatDateTime } from '../../../i18n/index.js';
import { html } from '../../../domain/html.js';
import { layout, type PageContext } from '../../views/layout.js';
import type { DevMailView, DevSmsView } from './view-models.js';

export function devMailPage(ctx: PageContext, mails: DevMailView[]) {
  const { t } = ctx;
  return layout(
    ctx,
    t.dev.mailTitle,
    html`<h1>${t.dev.mailTitle}</h1>
<p class="muted">${t.dev.mailIntro}</p>
${
  mails.length === 0
    ? html`<p class="card">${t.dev.none}</p>`
    : mails.map(
        (m) => html`<article class="card mail">
  <h2>${m.subject}</h2>
  <p class="meta">${t.dev.to} ${m.recipient}${m.cc ? html` · Cc ${m.cc}` : ''} · ${formatDateTime(m.createdAt, ctx.locale)}</p>
  <pre>${m.bodyText}</pre>
</article>`,
      )
}`,
  );
}

export function devSmsPage(ctx: PageContext, rows: DevSmsView[]) {
  const t = ctx.t.devSms;
  return layout(
    ctx,
    t.title,
    html`<h1>${t.title}</h1>
<p class="muted">${t.intro}</p>
${
  rows.length === 0
    ? html`<p class="card">${t.none}</p>`
    : rows.map(
        (r) => html`<article class="card mail">
  <p class="meta">${ctx.t.dev.to} ${r.recipient} · ${formatDateTime(r.createdAt, ctx.locale)}</p>
  <pre>${r.body}</pre>
</article>`,
      )
}`,
  );
}
