// Sign-in pages: the client's and staff's sign-in form, the client's password request.
import { html } from '../../../domain/html.js';
import { csrfField, errorSummary, layout, type PageContext } from '../../views/layout.js';

export function loginPage(
  ctx: PageContext,
  opts: { email?: string; errors?: string[]; staff?: boolean; redmine?: boolean },
) {
  const { t } = ctx;
  const action = opts.staff ? '/back-office/connexion' : '/connexion';
  const title = opts.staff ? t.login.staffTitle : t.login.title;
  return layout(
    ctx,
    title,
    html`<section class="card narrow">
  <h1>${title}</h1>
  ${opts.staff ? (opts.redmine ? html`<p class="muted">${t.staffLogin.redmineIntro}</p>` : '') : html`<p class="muted">${t.login.intro}</p>`}
  ${errorSummary(ctx, opts.errors ?? [])}
  <form method="post" action="${action}" novalidate>
    ${csrfField(ctx)}
    ${
      opts.redmine
        ? html`<label for="email">${t.staffLogin.redmineLogin}</label>
    <input id="email" name="email" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${opts.email ?? ''}" autofocus>`
        : html`<label for="email">${t.login.email}</label>
    <input id="email" name="email" type="email" autocomplete="username" inputmode="email" required value="${opts.email ?? ''}" autofocus>`
    }
    <label for="password">${t.login.password}</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit" class="primary">${t.login.submit}</button>
  </form>
  ${opts.staff ? '' : html`<p><a href="/mot-de-passe">${t.login.forgot}</a></p>`}
</section>`,
  );
}

export function passwordRequestPage(ctx: PageContext, opts: { email?: string; errors?: string[]; sent?: boolean }) {
  const { t } = ctx;
  return layout(
    ctx,
    t.password.title,
    html`<section class="card narrow">
  <h1>${t.password.title}</h1>
  ${
    opts.sent
      ? html`<p class="flash info" role="status">${t.password.sent}</p>`
      : html`<p class="muted">${t.password.intro}</p>
  ${errorSummary(ctx, opts.errors ?? [])}
  <form method="post" action="/mot-de-passe" novalidate>
    ${csrfField(ctx)}
    <label for="email">${t.login.email}</label>
    <input id="email" name="email" type="email" autocomplete="username" inputmode="email" required value="${opts.email ?? ''}" autofocus>
    <button type="submit" class="primary">${t.password.submit}</button>
  </form>`
  }
  <p><a href="/connexion">${t.password.back}</a></p>
</section>`,
  );
}
