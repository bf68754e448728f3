// Back-office pages around document collection: opening a case (staff), and the procedure
// template editor (administrators). Plain forms, one column on a phone, labels on every field.
import type { Messages } from '../../../../i18n/index.js';
import { html, type Html } from '../../../../domain/html.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../../views/layout.js';
import { notifyOnOpenField } from '../record/pages.js';
import type {
  FactChoice,
  NewCaseForm,
  NewCategoryForm,
  PieceForm,
  ProcedureForm,
  ProcedureFormCategory,
  ProcedureHeader,
  ProcedureItem,
  RoleChoice,
  SpaceChoice,
  TemplateChoice,
} from './view-models.js';

export function factLabel(t: Messages, name: string): string {
  return t.caseAdmin.factNames[name] ?? name;
}

export function newCasePage(
  ctx: PageContext,
  view: {
    form: NewCaseForm;
    spaces: SpaceChoice[];
    templates: TemplateChoice[];
    errors: string[];
  },
): Html {
  const t = ctx.t.caseAdmin;
  const f = view.form;
  const name = (tpl: TemplateChoice) => (ctx.locale === 'en' ? tpl.nameEn : tpl.name);
  const facts = new Map<string, FactChoice>();
  for (const tpl of view.templates) for (const fact of tpl.facts) if (!facts.has(fact.name)) facts.set(fact.name, fact);
  const usedBy = (fact: string) =>
    [...new Set(view.templates.filter((tpl) => tpl.facts.some((x) => x.name === fact)).map(name))].join(', ');
  return layout(
    ctx,
    t.title,
    html`<h1>${t.title}</h1>
<p>${t.intro}</p>
<section class="card">
  ${errorSummary(ctx, view.errors)}
  <form method="post" action="/back-office/dossiers/nouveau" novalidate>
    ${csrfField(ctx)}
    <label for="number">${t.number}</label>
    <input id="number" name="number" value="${f.number}" maxlength="64" required autocomplete="off" aria-describedby="number-help">
    <p class="help" id="number-help">${t.numberHelp}</p>
    <label for="title">${t.caseTitle}</label>
    <input id="title" name="title" value="${f.title}" maxlength="200" required aria-describedby="title-help">
    <p class="help" id="title-help">${t.caseTitleHelp}</p>
    <label for="clientEmail">${t.clientEmail}</label>
    <input id="clientEmail" name="clientEmail" type="email" value="${f.clientEmail}" maxlength="254" required autocomplete="off" aria-describedby="client-help">
    <p class="help" id="client-help">${t.clientEmailHelp}</p>
    <label for="clientName">${t.clientName}</label>
    <input id="clientName" name="clientName" value="${f.clientName}" maxlength="200" autocomplete="off">
    <label for="space">${t.space}</label>
    <select id="space" name="space" required>
      <option value="">—</option>
      ${view.spaces.map((s) => html`<option value="${s.id}"${s.id === f.spaceId ? html` selected` : ''}>${s.name}</option>`)}
    </select>
    <label for="template">${t.template}</label>
    <select id="template" name="template" required>
      <option value="">—</option>
      ${view.templates.map((tpl) => html`<option value="${tpl.id}"${tpl.id === f.templateId ? html` selected` : ''}>${name(tpl)}</option>`)}
    </select>
    ${
      facts.size > 0
        ? html`<fieldset>
      <legend>${t.facts}</legend>
      <p class="help">${t.factsHelp}</p>
      ${[...facts.values()].map((fact) =>
        fact.kind === 'number'
          ? html`<label for="fact-${fact.name}">${factLabel(ctx.t, fact.name)} <span class="muted">(${usedBy(fact.name)})</span></label>
      <input id="fact-${fact.name}" name="fact-${fact.name}" inputmode="decimal" value="${f.facts[fact.name] ?? ''}" maxlength="15">`
          : html`<label for="fact-${fact.name}">${factLabel(ctx.t, fact.name)} <span class="muted">(${usedBy(fact.name)})</span></label>
      <select id="fact-${fact.name}" name="fact-${fact.name}">
        ${['', ...fact.values].map((v) => html`<option value="${v}"${(f.facts[fact.name] ?? '') === v ? html` selected` : ''}>${t.factValues[v] ?? v}</option>`)}
      </select>`,
      )}
    </fieldset>`
        : ''
    }
    ${notifyOnOpenField(ctx, f.notifyClient !== false)}
    <button type="submit" class="primary">${t.submit}</button>
  </form>
</section>`,
  );
}

export function procedureListPage(ctx: PageContext, templates: ProcedureItem[]): Html {
  const t = ctx.t.procedures;
  return layout(
    ctx,
    t.title,
    html`<h1>${t.title}</h1>
<p>${t.intro}</p>
<ul class="conversation-list">
  ${templates.map(
    (tpl) => html`<li><a href="/back-office/procedures/${tpl.id}">
    <span class="subject">${ctx.locale === 'en' ? tpl.nameEn : tpl.name}</span>
    <span class="meta">${t.sector[tpl.sector] ?? tpl.sector} · ${t.categories(tpl.categoryCount)} · ${tpl.slug}</span>
  </a></li>`,
  )}
</ul>`,
  );
}

/** A piece's labels, role, obligation and conditions, named `${prefix}-…`. */
function pieceFields(ctx: PageContext, roles: RoleChoice[], prefix: string, p: PieceForm): Html {
  const t = ctx.t.procedures;
  // The stored conditions and one empty row to add another.
  const rows = [...p.conditions, { fact: '', op: 'eq' as const, value: '' }];
  return html`<label for="${prefix}-labelFr">${t.pieceLabelFr}</label>
        <input id="${prefix}-labelFr" name="${prefix}-labelFr" value="${p.labelFr}" maxlength="300">
        <label for="${prefix}-labelEn">${t.pieceLabelEn}</label>
        <input id="${prefix}-labelEn" name="${prefix}-labelEn" value="${p.labelEn}" maxlength="300">
        <label for="${prefix}-role">${t.role}</label>
        <select id="${prefix}-role" name="${prefix}-role">
          ${roles.map((r) => html`<option value="${r.code}"${r.code === p.role ? html` selected` : ''}>${ctx.locale === 'en' ? r.en : r.fr}</option>`)}
        </select>
        <label for="${prefix}-rule">${t.rule}</label>
        <select id="${prefix}-rule" name="${prefix}-rule">
          <option value="required"${p.rule === 'required' ? html` selected` : ''}>${t.ruleRequired}</option>
          <option value="optional"${p.rule === 'optional' ? html` selected` : ''}>${t.ruleOptional}</option>
          <option value="conditional"${p.rule === 'conditional' ? html` selected` : ''}>${t.ruleConditionalNew}</option>
        </select>
        <details class="conditions"${p.rule === 'conditional' ? html` open` : ''}>
          <summary>${t.conditions}</summary>
          <p class="help">${t.conditionsHelp}</p>
          ${rows.map((w, m) => {
            const wk = `${prefix}-w${m}`;
            return html`<div class="condition-row">
            <label for="${wk}-fact">${t.conditionFact(m + 1)}</label>
            <input id="${wk}-fact" name="${wk}-fact" value="${w.fact}" maxlength="40" autocapitalize="off" spellcheck="false">
            <label for="${wk}-op">${t.conditionOp(m + 1)}</label>
            <select id="${wk}-op" name="${wk}-op">
              <option value="eq"${w.op === 'eq' ? html` selected` : ''}>${t.opEq}</option>
              <option value="gte"${w.op === 'gte' ? html` selected` : ''}>${t.opGte}</option>
            </select>
            <label for="${wk}-value">${t.conditionValue(m + 1)}</label>
            <input id="${wk}-value" name="${wk}-value" value="${w.value}" maxlength="60">
          </div>`;
          })}
        </details>`;
}

export function procedureEditorPage(
  ctx: PageContext,
  view: { template: ProcedureHeader; form: ProcedureForm; errors: string[]; permissionsForm: Html },
): Html {
  const t = ctx.t.procedures;
  const tpl = view.template;
  const roles = tpl.roles;
  const last = view.form.categories.length - 1;
  return layout(
    ctx,
    ctx.locale === 'en' ? tpl.nameEn : tpl.name,
    html`<p><a href="/back-office/procedures">← ${t.title}</a></p>
<h1>${ctx.locale === 'en' ? tpl.nameEn : tpl.name}</h1>
<p class="muted">${t.sector[tpl.sector] ?? tpl.sector}</p>
${errorSummary(ctx, view.errors)}
<form method="post" action="/back-office/procedures/${tpl.id}" novalidate class="procedure-editor">
  ${csrfField(ctx)}
  <!-- The form's default button: Enter in a field saves, it never moves a category. -->
  <button type="submit" name="action" value="save" class="visually-hidden" tabindex="-1" aria-hidden="true">${t.save}</button>
  <fieldset class="card">
    <legend>${t.reminders}</legend>
    <label for="reminderDays">${t.reminderDays}</label>
    <input id="reminderDays" name="reminderDays" value="${view.form.reminderDays}" maxlength="100" aria-describedby="reminderDays-help">
    <p class="help" id="reminderDays-help">${t.reminderDaysHelp}</p>
    <label for="reminderEvery">${t.reminderEvery}</label>
    <input id="reminderEvery" name="reminderEvery" inputmode="numeric" value="${view.form.reminderEvery}" maxlength="3">
  </fieldset>
  ${view.form.categories.map((c, i) => categoryFieldset(ctx, roles, c, i, last))}
  ${newCategoryDetails(ctx, roles, view.form.newCategory)}
  <button type="submit" name="action" value="save" class="primary">${t.save}</button>
</form>
${view.permissionsForm}
<script type="module" src="/static/procedures.js"></script>`,
  );
}

/** A stored category's fields, its pieces and the row that adds one. */
function categoryFieldset(
  ctx: PageContext,
  roles: RoleChoice[],
  c: ProcedureFormCategory,
  i: number,
  last: number,
): Html {
  const t = ctx.t.procedures;
  const k = `c${i}`;
  return html`<fieldset class="card category-edit" id="cat-${c.id}">
    <legend>${t.category(i + 1)} — ${c.label}</legend>
    <input type="hidden" name="${k}-id" value="${c.id}">
    <div class="row-actions">
      ${i > 0 ? html`<button type="submit" name="action" value="up:${i}" aria-label="${t.moveUp(c.label)}">↑ ${t.up}</button>` : ''}
      ${i < last ? html`<button type="submit" name="action" value="down:${i}" aria-label="${t.moveDown(c.label)}">↓ ${t.down}</button>` : ''}
    </div>
    <label for="${k}-label">${t.labelFr}</label>
    <input id="${k}-label" name="${k}-label" value="${c.label}" maxlength="300">
    <label for="${k}-labelEn">${t.labelEn}</label>
    <input id="${k}-labelEn" name="${k}-labelEn" value="${c.labelEn}" maxlength="300">
    <label for="${k}-acceptsFr">${t.acceptsFr}</label>
    <textarea id="${k}-acceptsFr" name="${k}-acceptsFr" rows="3">${c.acceptsFr}</textarea>
    <label for="${k}-acceptsEn">${t.acceptsEn}</label>
    <textarea id="${k}-acceptsEn" name="${k}-acceptsEn" rows="3">${c.acceptsEn}</textarea>
    <label for="${k}-refusalsFr">${t.refusalsFr}</label>
    <textarea id="${k}-refusalsFr" name="${k}-refusalsFr" rows="4">${c.refusalsFr}</textarea>
    <label for="${k}-refusalsEn">${t.refusalsEn}</label>
    <textarea id="${k}-refusalsEn" name="${k}-refusalsEn" rows="4">${c.refusalsEn}</textarea>
    <fieldset>
      <legend>${t.pieces}</legend>
      ${c.pieces.map((p, j) => {
        const pk = `${k}-p${j}`;
        return html`<div class="piece-edit">
        <input type="hidden" name="${pk}-code" value="${p.code}">
        ${pieceFields(ctx, roles, pk, p)}
        <label class="check"><input type="checkbox" name="${pk}-remove" value="1"${p.remove ? html` checked` : ''}> ${t.removePiece}</label>
      </div>`;
      })}
      <details class="piece-edit piece-new"${c.newPiece.labelFr || c.newPiece.labelEn ? html` open` : ''}>
        <summary>${t.newPiece}</summary>
        <p class="help">${t.newPieceHelp}</p>
        ${pieceFields(ctx, roles, `${k}-new`, c.newPiece)}
      </details>
    </fieldset>
    <p class="muted">${t.documents(c.documents)}</p>
    <label class="check"><input type="checkbox" name="${k}-remove" value="1"${c.remove ? html` checked` : ''}> ${t.remove}</label>
  </fieldset>`;
}

/** The new category, open when anything of it was typed. */
function newCategoryDetails(ctx: PageContext, roles: RoleChoice[], nc: NewCategoryForm): Html {
  const t = ctx.t.procedures;
  return html`<details class="card category-edit category-new" id="new-category"${nc.label || nc.labelEn ? html` open` : ''}>
    <summary>${t.newCategory}</summary>
    <p class="help">${t.newCategoryHelp}</p>
    <label for="new-label">${t.labelFr}</label>
    <input id="new-label" name="new-label" value="${nc.label}" maxlength="300">
    <label for="new-labelEn">${t.labelEn}</label>
    <input id="new-labelEn" name="new-labelEn" value="${nc.labelEn}" maxlength="300">
    <label for="new-acceptsFr">${t.acceptsFr}</label>
    <textarea id="new-acceptsFr" name="new-acceptsFr" rows="3">${nc.acceptsFr}</textarea>
    <label for="new-acceptsEn">${t.acceptsEn}</label>
    <textarea id="new-acceptsEn" name="new-acceptsEn" rows="3">${nc.acceptsEn}</textarea>
    <label for="new-refusalsFr">${t.refusalsFr}</label>
    <textarea id="new-refusalsFr" name="new-refusalsFr" rows="3">${nc.refusalsFr}</textarea>
    <label for="new-refusalsEn">${t.refusalsEn}</label>
    <textarea id="new-refusalsEn" name="new-refusalsEn" rows="3">${nc.refusalsEn}</textarea>
    <fieldset>
      <legend>${t.pieces}</legend>
      <div class="piece-edit">${pieceFields(ctx, roles, 'new-p', nc.piece)}</div>
    </fieldset>
  </details>`;
}
