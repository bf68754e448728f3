// Spaces for administrators: the list with each space's answer times, one space's form, and the
// form that creates a space.
import { html, type Html } from '../../../domain/html.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../views/layout.js';
import type { SpaceForm } from './forms.js';
import { hoursText, type SpaceHeading, type SpaceSummary } from './view-models.js';

function fields(ctx: PageContext, form: SpaceForm, creating: boolean): Html {
  const t = ctx.t.spaces;
  const input = (name: keyof SpaceForm, label: string, help?: string, extra = '') =>
    html`<div class="field"><label for="space-${name}">${label}</label>
    <input id="space-${name}" name="${name}" value="${form[name]}" ${extra}${help ? html` aria-describedby="space-${name}-help"` : ''}>
    ${help ? html`<p class="help" id="space-${name}-help">${help}</p>` : ''}</div>`;
  return html`${input('name', t.name, undefined, 'maxlength="100" required')}
  ${creating ? input('slug', t.slug, t.slugHelp, 'maxlength="60" required autocapitalize="none" spellcheck="false"') : ''}
  <fieldset><legend>${t.policy}</legend>
    ${input('target', t.target, t.targetHelp, 'inputmode="decimal" maxlength="8"')}
    ${input('max', t.max, t.maxHelp, 'inputmode="decimal" maxlength="8"')}
    <fieldset class="choices"><legend>${t.calendar}</legend>
      ${(['calendar', 'business'] as const).map((m) => html`<label class="check"><input type="radio" name="calendar" value="${m}"${form.calendar === m ? ' checked' : ''}> ${t.calendarModes[m]}</label>`)}
    </fieldset>
    ${input('opens', t.opens, undefined, 'inputmode="numeric" maxlength="5" placeholder="09:00"')}
    ${input('closes', t.closes, undefined, 'inputmode="numeric" maxlength="5" placeholder="18:00"')}
    ${input('teamEmail', t.teamEmail, t.teamEmailHelp, 'type="email" maxlength="254" autocomplete="off"')}
    ${input('managerEmail', t.managerEmail, t.managerEmailHelp, 'type="email" maxlength="254" autocomplete="off"')}
    ${input('satisfaction', t.satisfaction, undefined, 'inputmode="decimal" maxlength="8"')}
  </fieldset>
  <fieldset><legend>${t.retentionTitle}</legend>
    ${input('retention', t.retention, t.retentionHelp, 'inputmode="numeric" maxlength="3"')}
  </fieldset>`;
}

export function spaceListPage(ctx: PageContext, spaces: SpaceSummary[], create: { form: SpaceForm; errors: string[] }) {
  const t = ctx.t.spaces;
  return layout(
    ctx,
    t.title,
    html`<h1>${t.title}</h1>
<p class="help">${t.intro}</p>
<ul class="space-list">
  ${spaces.map(
    (s) => html`<li class="card"><h2><a href="/back-office/espaces/${s.id}">${s.name}</a></h2>
    <p class="muted">${t.slug} : ${s.slug}</p>
    <p>${t.summary(hoursText(s.targetHours, ctx.locale), hoursText(s.maxHours, ctx.locale), t.modeShort[s.calendar])}</p>
    <p>${s.retentionMonths === null ? t.retentionKept : t.retentionMonths(s.retentionMonths)}</p>
    <p><a href="/back-office/espaces/${s.id}">${t.edit}<span class="visually-hidden"> ${s.name}</span></a></p></li>`,
  )}
</ul>
<details class="card"${create.errors.length > 0 ? ' open' : ''} id="create">
  <summary class="button">${t.create}</summary>
  ${errorSummary(ctx, create.errors)}
  <form method="post" action="/back-office/espaces" novalidate>
    ${csrfField(ctx)}
    ${fields(ctx, create.form, true)}
    <button type="submit" class="primary">${t.create}</button>
  </form>
</details>`,
  );
}

export function spacePage(ctx: PageContext, space: SpaceHeading, form: SpaceForm, errors: string[]) {
  const t = ctx.t.spaces;
  return layout(
    ctx,
    space.name,
    html`<p><a href="/back-office/espaces">← ${t.back}</a></p>
<h1>${space.name}</h1>
<p class="muted">${t.slug} : ${space.slug}</p>
${errorSummary(ctx, errors)}
<form method="post" action="/back-office/espaces/${space.id}" class="card" novalidate>
  ${csrfField(ctx)}
  ${fields(ctx, form, false)}
  <button type="submit" class="primary">${t.save}</button>
</form>`,
  );
}
