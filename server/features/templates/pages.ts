// Back-office: the e-mail templates, their editor and preview.
import { LOCALES, formatDateTime, messages } from '../../../i18n/index.js';
import { Html, html } from '../../../domain/html.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../views/layout.js';
import { TEMPLATE_KEYS, type TemplateEditorView } from './view-models.js';

export function templateListPage(ctx: PageContext, edited: Set<string>) {
  const t = ctx.t.templates;
  return layout(
    ctx,
    t.title,
    html`<h1>${t.title}</h1>
<p class="muted">${t.intro}</p>
<table class="grid">
  <thead><tr><th scope="col">${t.title}</th>${LOCALES.map((l) => html`<th scope="col">${messages(l).langName}</th>`)}</tr></thead>
  <tbody>
  ${TEMPLATE_KEYS.map(
    (key) => html`<tr>
    <td>${t.names[key] ?? key}</td>
    ${LOCALES.map(
      (
        l,
      ) => html`<td><a href="/back-office/modeles/${key}/${l}" aria-label="${t.names[key] ?? key} — ${messages(l).langName}">${ctx.user?.admin ? t.edit : t.view}</a>
      <span class="badge ${edited.has(`${key}:${l}`) ? 'edited' : ''}">${edited.has(`${key}:${l}`) ? t.edited : t.byDefault}</span></td>`,
    )}
  </tr>`,
  )}
  </tbody>
</table>`,
  );
}

export function templateEditorPage(ctx: PageContext, view: TemplateEditorView) {
  const t = ctx.t.templates;
  const admin = ctx.user?.admin === true;
  const name = `${t.names[view.key] ?? view.key} — ${messages(view.locale).langName}`;
  return layout(
    ctx,
    name,
    html`<p><a href="/back-office/modeles">← ${t.back}</a></p>
<div class="heading-row"><h1>${name}</h1><span class="badge">${view.edited ? t.edited : t.byDefault}</span></div>
${view.updatedAt ? html`<p class="muted">${t.edited} : <time datetime="${view.updatedAt.toISOString()}">${formatDateTime(view.updatedAt, ctx.locale)}</time></p>` : ''}
${admin ? '' : html`<p class="flash info" role="status">${t.readOnly}</p>`}
<div class="editor">
<section class="card" aria-labelledby="edit-title">
  <h2 id="edit-title">${admin ? t.edit : t.view}</h2>
  ${errorSummary(ctx, view.errors)}
  <form method="post" action="/back-office/modeles/${view.key}/${view.locale}" novalidate>
    ${csrfField(ctx)}
    ${
      view.hasSubject
        ? html`<label for="subject">${t.subject}</label>
    <input id="subject" name="subject" value="${view.text.subject}" maxlength="200" ${admin ? '' : 'readonly'} aria-describedby="tags-title">`
        : ''
    }
    <label for="body">${t.body}</label>
    <textarea id="body" name="body" rows="14" ${admin ? '' : 'readonly'} aria-describedby="tags-title">${view.text.body}</textarea>
    ${
      admin
        ? html`<div class="actions">
      <button type="submit" name="action" value="preview">${t.showPreview}</button>
      <button type="submit" name="action" value="save" class="primary">${t.save}</button>
      ${view.edited ? html`<button type="submit" name="action" value="reset">${t.reset}</button>` : ''}
    </div>`
        : ''
    }
  </form>
  <h3 id="tags-title">${t.tags}</h3>
  <dl class="tags">${view.tags.map((tag) => html`<dt><code>{{${tag}}}</code></dt><dd>${t.tagHelp[tag] ?? ''}</dd>`)}</dl>
</section>
${
  view.preview
    ? html`<section class="card preview" aria-labelledby="preview-title">
  <h2 id="preview-title">${t.preview}</h2>
  <p class="muted">${t.previewIntro}</p>
  ${view.hasSubject ? html`<p class="preview-subject"><strong>${t.subject} :</strong> ${view.preview.subject}</p>` : ''}
  <div class="preview-body" lang="${view.locale}">${new Html(view.preview.html)}</div>
</section>`
    : ''
}
</div>`,
  );
}
