// The client record's "personal data" part (export, erasure) and the page after an erasure.
import { html, type Html } from '../../../domain/html.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../views/layout.js';

export function dataRightsSection(ctx: PageContext, clientId: string, errors: string[] = []): Html {
  const t = ctx.t.dataRights;
  const url = `/back-office/clients/${clientId}`;
  return html`<section class="card" aria-labelledby="data-rights-title" id="donnees">
  <h2 id="data-rights-title">${t.title}</h2>
  <p class="help">${t.help}</p>
  ${errorSummary(ctx, errors)}
  <p><a class="button" href="${url}/donnees.zip" download>${t.export}</a></p>
  <form method="post" action="${url}/effacement">
    ${csrfField(ctx)}
    <p class="help">${t.eraseHelp}</p>
    ${ctx.user?.admin ? html`<label class="check"><input type="checkbox" name="confirmOpenCases"> ${t.confirmOpen}</label>` : ''}
    <button type="submit" class="danger">${t.erase}</button>
  </form>
</section>`;
}

export function erasedPage(ctx: PageContext, filesDeleted: number, redmineIssues: number[]) {
  const t = ctx.t.dataRights;
  return layout(
    ctx,
    t.erasedTitle,
    html`<p><a href="/back-office/clients">← ${t.back}</a></p>
<h1>${t.erasedTitle}</h1>
<p>${t.erased(filesDeleted)}</p>
${
  redmineIssues.length === 0
    ? html`<p>${t.noRedmineIssues}</p>`
    : html`<p>${t.redmineIssues}</p><ul class="redmine-issues">${redmineIssues.map((n) => html`<li>#${n}</li>`)}</ul>`
}`,
  );
}

export function openCasesPage(ctx: PageContext, clientId: string, message: string) {
  const t = ctx.t.dataRights;
  return layout(
    ctx,
    t.title,
    html`<p><a href="/back-office/clients/${clientId}">← ${ctx.t.dataRights.back}</a></p>
${dataRightsSection(ctx, clientId, [message])}`,
  );
}
