// The back-office API tokens page (administrators): the tokens with their state and a revoke
// button, the form creating one, and the new token shown once after its creation.
import { html } from '../../../domain/html.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../views/layout.js';
import type { TokenForm } from './forms.js';
import type { TokenRow } from './view-models.js';

export interface TokenPageData {
  tokens: TokenRow[];
  spaces: Array<{ id: string; name: string }>;
  form: TokenForm;
  errors: string[];
  /** The token just created: shown this once, never again. */
  created?: { name: string; token: string };
}

export function apiTokensPage(ctx: PageContext, data: TokenPageData) {
  const t = ctx.t.apiTokens;
  const { form } = data;
  return layout(
    ctx,
    t.title,
    html`<h1>${t.title}</h1>
<p class="help">${t.intro}</p>
${
  data.created
    ? html`<div class="card flash" role="status" id="new-token"><p>${t.created}</p>
  <p><strong>${data.created.name}</strong></p>
  <p><label for="token-value">${t.token}</label> <input id="token-value" readonly value="${data.created.token}" size="60" spellcheck="false" autocomplete="off"></p></div>`
    : ''
}
${
  data.tokens.length === 0
    ? html`<p>${t.none}</p>`
    : html`<table class="list"><thead><tr><th scope="col">${t.name}</th><th scope="col">${t.hint}</th><th scope="col">${t.scope}</th><th scope="col">${t.spaces}</th><th scope="col">${t.createdAt}</th><th scope="col">${t.lastUsed}</th><th scope="col">${t.state}</th></tr></thead>
<tbody>${data.tokens.map(
        (row) => html`<tr><td>${row.name}</td><td><code>${row.hint}</code></td><td>${t.scopes[row.scope]}</td>
<td>${row.spaces === 'all' ? t.allSpaces : row.spaces.join(', ')}</td>
<td>${row.createdAt}${row.createdBy ? html` · ${t.createdBy} ${row.createdBy}` : ''}</td>
<td>${row.lastUsed ?? t.never}</td>
<td>${
          row.revokedAt
            ? t.revokedOn(row.revokedAt)
            : html`${t.active} <form method="post" action="/back-office/jetons-api/${row.id}/revocation" class="inline">${csrfField(ctx)}<button type="submit">${t.revoke}<span class="visually-hidden"> ${row.name}</span></button></form>`
        }</td></tr>`,
      )}</tbody></table>`
}
<section class="card" id="create"><h2>${t.create}</h2>
${errorSummary(ctx, data.errors)}
<form method="post" action="/back-office/jetons-api" novalidate>
  ${csrfField(ctx)}
  <div class="field"><label for="token-name">${t.name}</label>
  <input id="token-name" name="name" value="${form.name}" maxlength="100" required aria-describedby="token-name-help">
  <p class="help" id="token-name-help">${t.nameHelp}</p></div>
  <fieldset class="choices"><legend>${t.scope}</legend>
  ${(['read', 'write'] as const).map((s) => html`<label class="check"><input type="radio" name="scope" value="${s}"${form.scope === s ? ' checked' : ''}> ${t.scopes[s]}</label>`)}
  </fieldset>
  <fieldset class="choices"><legend>${t.spaces}</legend>
  <p class="help">${t.spacesHelp}</p>
  <label class="check"><input type="checkbox" name="allSpaces"${form.allSpaces ? ' checked' : ''}> ${t.allSpaces}</label>
  ${data.spaces.map((s) => html`<label class="check"><input type="checkbox" name="spaces" value="${s.id}"${form.spaceIds.includes(s.id) ? ' checked' : ''}> ${s.name}</label>`)}
  </fieldset>
  <button type="submit" class="primary">${t.create}</button>
</form></section>`,
  );
}
