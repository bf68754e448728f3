// The client's notification preferences page: e-mail (each answer, daily summary, none), SMS (each
// answer, none) with the mobile number, the language of notifications; under it, when a code waits,
// the phone confirmation form and a button for a new code.
import { html, type Html } from '../../../domain/html.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../views/layout.js';
import type { PreferencesView } from './view-models.js';

const EMAIL_MODES = ['each', 'daily', 'none'] as const;
const SMS_MODES = ['each', 'none'] as const;
const LOCALES = ['fr', 'en'] as const;

/** A phone number in a sentence never breaks between its groups of digits. */
const unbroken = (phone: string) => phone.replace(/ /g, '\u00a0');

function radio(name: string, value: string, checked: boolean, label: string, extra: Html | string = ''): Html {
  const id = `${name}-${value}`;
  return html`<label class="check" for="${id}"><input type="radio" id="${id}" name="${name}" value="${value}"${checked ? html` checked` : ''}${extra}> ${label}</label>`;
}

export function preferencesPage(
  ctx: PageContext,
  view: PreferencesView,
  errors: { form?: string[]; code?: string[] } = {},
  typedCode = '',
): Html {
  const t = ctx.t.preferences;
  const { form } = view;
  return layout(
    ctx,
    t.title,
    html`<section class="card preferences" aria-labelledby="preferences-title">
  <h1 id="preferences-title">${t.title}</h1>
  <p>${t.intro}</p>
  ${errorSummary(ctx, errors.form ?? [])}
  <form method="post" action="/preferences" novalidate>
    ${csrfField(ctx)}
    <fieldset>
      <legend>${t.emailLegend}</legend>
      ${EMAIL_MODES.map((m) => radio('emailMode', m, form.emailMode === m, t.emailModes[m]))}
      <p class="help">${t.emailAlways}</p>
    </fieldset>
    <fieldset>
      <legend>${t.smsLegend}</legend>
      ${SMS_MODES.map((m) => radio('smsMode', m, form.smsMode === m, t.smsModes[m]))}
      <label for="phone">${t.phone}</label>
      <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="40" value="${form.phone}" aria-describedby="phone-help${view.phone ? ' phone-status' : ''}">
      <p id="phone-help" class="help">${t.phoneHelp}</p>
      ${view.phone ? html`<p id="phone-status" class="phone-status ${view.phone.confirmed ? 'confirmed' : 'unconfirmed'}">${view.phone.confirmed ? t.phoneConfirmed(unbroken(view.phone.display)) : t.phoneUnconfirmed(unbroken(view.phone.display))}</p>` : ''}
      <p class="help">${t.smsContent}</p>
    </fieldset>
    <fieldset>
      <legend>${t.localeLegend}</legend>
      ${LOCALES.map((l) => radio('locale', l, form.locale === l, t.locales[l], html` lang="${l}"`))}
    </fieldset>
    <button type="submit" class="primary">${t.save}</button>
  </form>
</section>
${view.pending ? confirmSection(ctx, view, errors.code ?? [], typedCode) : ''}`,
  );
}

function confirmSection(ctx: PageContext, view: PreferencesView, errors: string[], typedCode: string): Html {
  const t = ctx.t.preferences;
  return html`<section class="card" id="confirmation" aria-labelledby="confirm-title">
  <h2 id="confirm-title">${t.confirmTitle}</h2>
  <p id="code-help">${t.confirmIntro(unbroken(view.pending?.phone ?? ''), view.codeMinutes)}</p>
  ${errorSummary(ctx, errors)}
  <form method="post" action="/preferences/telephone/confirmation" novalidate>
    ${csrfField(ctx)}
    <label for="code">${t.code}</label>
    <input id="code" class="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="12" value="${typedCode}" aria-describedby="code-help">
    <div class="actions">
      <button type="submit" class="primary">${t.confirm}</button>
      <button type="submit" formaction="/preferences/telephone/code">${t.resend}</button>
    </div>
  </form>
</section>`;
}
