// The one-click unsubscribe page: a GET shows a button (mail scanners prefetch links, so a GET
// changes nothing); the POST answers with what was done. French and English.
import { html, type Html } from '../../../domain/html.js';
import { layout, type PageContext } from '../../views/layout.js';

/** The button: a plain form posting RFC 8058's body to the same address. */
export function unsubscribePage(ctx: PageContext, action: string): Html {
  const t = ctx.t.answerMail.unsubscribePage;
  return layout(
    ctx,
    t.title,
    html`<h1>${t.title}</h1>
<p>${t.intro}</p>
<form method="post" action="${action}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit" class="button primary">${t.button}</button>
</form>`,
  );
}

export function unsubscribedPage(ctx: PageContext): Html {
  const t = ctx.t.answerMail.unsubscribePage;
  return layout(ctx, t.title, html`<h1>${t.title}</h1><p role="status">${t.done}</p>`);
}

export function unsubscribeInvalidPage(ctx: PageContext): Html {
  const t = ctx.t.answerMail.unsubscribePage;
  return layout(ctx, t.title, html`<h1>${t.title}</h1><div class="errors" role="alert"><p>${t.unknown}</p></div>`);
}
