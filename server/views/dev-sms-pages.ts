// The development SMS outbox: what the development SMS provider "sent" (SMS_PROVIDER=development).
import { formatDateTime } from '../../i18n/index.js';
import { html } from '../../domain/html.js';
import { layout, type PageContext } from './layout.js';

export function devSmsPage(ctx: PageContext, rows: { recipient: string; body: string; created_at: Date }[]) {
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
  <p class="meta">${ctx.t.dev.to} ${r.recipient} · ${formatDateTime(r.created_at, ctx.locale)}</p>
  <pre>${r.body}</pre>
</article>`,
      )
}`,
  );
}
