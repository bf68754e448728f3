// Back-office: the settings form (administrators), read-only for other staff.
import { unpaidSettingsSection } from '../cases/parts.js';
import { LOCALES, messages } from '../../../i18n/index.js';
import { html } from '../../../domain/html.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../views/layout.js';
import type { SettingsView } from './view-models.js';

export function settingsPage(ctx: PageContext, form: SettingsView, errors: string[]) {
  const t = ctx.t.settings;
  const admin = ctx.user?.admin === true;
  const disabled = admin ? '' : 'disabled';
  return layout(
    ctx,
    t.title,
    html`<h1>${t.title}</h1>
${admin ? '' : html`<p class="flash info" role="status">${ctx.t.backoffice.adminOnly}</p>`}
<section class="card">
  ${errorSummary(ctx, errors)}
  <form method="post" action="/back-office/reglages" enctype="multipart/form-data" novalidate>
    ${csrfField(ctx)}
    <label for="primaryColor">${t.primaryColor}</label>
    <div class="color-row">
      <input id="primaryColor" name="primaryColor" value="${form.primaryColor}" maxlength="7" pattern="#[0-9a-fA-F]{6}" aria-describedby="primaryColor-help" ${disabled}>
      <span class="swatch" aria-hidden="true"></span>
    </div>
    <p class="help" id="primaryColor-help">${t.primaryColorHelp}</p>
    <label for="rowsPerPage">${t.rowsPerPage}</label>
    <input id="rowsPerPage" name="rowsPerPage" type="number" min="10" max="350" step="1" inputmode="numeric" value="${form.rowsPerPage}" aria-describedby="rows-help" ${disabled}>
    <p class="help" id="rows-help">${t.rowsPerPageHelp}</p>
    <fieldset>
      <legend>${t.locales}</legend>
      ${LOCALES.map(
        (l) =>
          html`<label class="check"><input type="checkbox" name="locale_${l}" ${form.locales.includes(l) ? 'checked' : ''} ${disabled}> ${messages(l).langName}</label>`,
      )}
    </fieldset>
    <fieldset>
      <legend>${t.logo}</legend>
      ${
        form.hasLogo
          ? html`<p>${t.currentLogo} : <img class="logo-preview" src="/logo" alt="${t.currentLogo}"></p>
      <label class="check"><input type="checkbox" name="removeLogo" ${disabled}> ${t.removeLogo}</label>`
          : html`<p class="muted">${t.noLogo}</p>`
      }
      <label for="logo">${t.logo}</label>
      <input id="logo" name="files" type="file" accept=".png,.jpg,.jpeg,.gif,image/png,image/jpeg,image/gif" aria-describedby="logo-help" ${disabled}>
      <p class="help" id="logo-help">${t.logoHelp}</p>
    </fieldset>
    ${admin ? html`<button type="submit" class="primary">${t.save}</button>` : ''}
  </form>
</section>
${form.unpaidMode ? unpaidSettingsSection(ctx, form.unpaidMode) : ''}`,
  );
}
