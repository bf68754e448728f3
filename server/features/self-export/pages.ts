// The page of the client's data: what an export holds, how it arrives, the state of the latest one
// (its link while ready), and the button that asks for one (a form: CSRF, usable by keyboard and
// on a phone; "ask again" once there is one); a refusal comes as the layout's alert. And the page
// of a link that no longer gives anything.
import { html, type Html } from '../../../domain/html.js';
import { SELF_EXPORT_PAGE } from '../../../domain/self-export.js';
import { csrfField, layout, type PageContext } from '../../views/layout.js';
import type { SelfExportView } from './view-models.js';

export function selfExportPage(ctx: PageContext, view: SelfExportView): Html {
  const t = ctx.t.selfExport;
  const latest = view.latest;
  return layout(
    ctx,
    t.title,
    html`<section class="card self-export" aria-labelledby="self-export-title">
  <h1 id="self-export-title">${t.title}</h1>
  <p>${t.intro}</p>
  <p id="self-export-how">${t.how(view.days)} ${t.once(view.everyHours)}</p>
  ${latest?.state === 'building' ? html`<p class="status" role="status">${t.building}</p>` : ''}
  ${latest?.state === 'ready' ? html`<p class="status" role="status">${t.ready(latest.until)}</p><p><a class="button" href="${latest.href}" download>${t.download}</a></p>` : ''}
  <form method="post" action="${SELF_EXPORT_PAGE}" novalidate>
    ${csrfField(ctx)}
    <button type="submit" class="primary" aria-describedby="self-export-how">${latest ? t.askAgain : t.ask}</button>
  </form>
</section>`,
  );
}

export function expiredPage(ctx: PageContext, days: number): Html {
  const t = ctx.t.selfExport;
  return layout(
    ctx,
    t.expiredTitle,
    html`<section class="card narrow" aria-labelledby="expired-title">
  <h1 id="expired-title">${t.expiredTitle}</h1>
  <p>${t.expired(days)}</p>
  <p><a href="${SELF_EXPORT_PAGE}">${t.askAgain}</a></p>
</section>`,
  );
}
