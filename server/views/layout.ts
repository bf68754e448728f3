import type { Locale } from '../../db/database.js';
import type { Messages } from '../../i18n/index.js';
import { html, type Html } from '../../domain/html.js';

export interface PageContext {
  locale: Locale;
  t: Messages;
  /** Current path, for the language switch. */
  path: string;
  csrfToken: string;
  user?: { name: string; kind: 'client' | 'staff'; admin?: boolean } | undefined;
  flash?: { kind: 'info' | 'error'; text: string } | undefined;
  /** From the settings: the theme's version (cache key), whether a logo exists, the language switch. */
  branding?: { version: string; logo: boolean; languageSwitch: boolean } | undefined;
  /** A head of service's read-only view of this client's space (plugins/client-view). */
  view?: { id: string; clientName: string; reason: string; until: string } | undefined;
}

export function layout(ctx: PageContext, title: string, body: Html): Html {
  const { t, locale, user } = ctx;
  const other: Locale = locale === 'fr' ? 'en' : 'fr';
  const home = user?.kind === 'staff' ? '/back-office' : '/conversations';
  const logoutAction = user?.kind === 'staff' ? '/back-office/deconnexion' : '/deconnexion';
  return html`<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t.appName}</title>
<link rel="stylesheet" href="/static/guichet.css">
${ctx.branding ? html`<link rel="stylesheet" href="/theme.css?v=${ctx.branding.version}">` : ''}
</head>
<body class="${user?.kind === 'staff' ? 'staff' : 'client'}${ctx.view ? ' client-view' : ''}">
<a class="skip" href="#main">${t.skipToContent}</a>
${ctx.view ? viewBanner(ctx, ctx.view) : ''}
<header class="top">
  <a class="brand" href="${user ? home : '/'}">${ctx.branding?.logo ? html`<img class="logo" src="/logo?v=${ctx.branding.version}" alt="${t.backoffice.logoAlt}"> ` : ''}${t.appName}${user?.kind === 'staff' ? html` <span class="tag">${t.staff.title}</span>` : ''}</a>
  <nav aria-label="${t.appName}">
    ${
      user?.kind === 'client'
        ? html`<a href="/conversations">${t.nav.conversations}</a>${ctx.view ? '' : html`<a href="/conversations/nouvelle">${t.nav.newMessage}</a>`}<a href="/dossiers">${t.documents.navCases}</a>${ctx.view ? '' : html`<a href="/preferences">${t.preferences.nav}</a><a href="/mes-donnees">${t.selfExport.nav}</a>`}`
        : ''
    }
    ${user?.kind === 'staff' ? staffNav(ctx) : ''}
    ${ctx.branding?.languageSwitch === false || ctx.view ? '' : html`<a href="/langue/${other}?next=${encodeURIComponent(ctx.path)}" hreflang="${other}" lang="${other}">${t.switchLanguage}</a>`}
    ${
      user && !ctx.view
        ? html`<form method="post" action="${logoutAction}" class="inline">
          <input type="hidden" name="_csrf" value="${ctx.csrfToken}">
          <button type="submit" class="link">${t.nav.logout}</button>
        </form>`
        : ''
    }
  </nav>
</header>
<main id="main" tabindex="-1">
${ctx.flash ? html`<p class="flash ${ctx.flash.kind}" role="${ctx.flash.kind === 'error' ? 'alert' : 'status'}">${ctx.flash.text}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

/** Says whose space this is, that it is read-only, until when and why; ends the view. */
function viewBanner(ctx: PageContext, view: NonNullable<PageContext['view']>): Html {
  const v = ctx.t.clientView;
  return html`<div class="view-banner" role="note">
  <p><strong>${v.banner(view.clientName, view.until)}</strong> ${v.bannerReason(view.reason)}</p>
  <form method="post" action="/back-office/clients/vues/${view.id}/fin" class="view-end">
    ${csrfField(ctx)}
    <button type="submit">${v.end}</button>
  </form>
</div>`;
}

function staffNav(ctx: PageContext): Html {
  const n = ctx.t.backoffice.nav;
  const path = ctx.path.split('?')[0] ?? '';
  const link = (href: string, label: string, current: boolean) =>
    html`<a href="${href}"${current ? html` aria-current="page"` : ''}>${label}</a>`;
  const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  return html`${link('/back-office', n.conversations, path === '/back-office' || under('/back-office/conversations'))}
    ${link('/back-office/clients', n.clients, under('/back-office/clients'))}
    ${link('/back-office/dossiers', ctx.t.documents.staffListTitle, under('/back-office/dossiers'))}
    ${link('/back-office/modeles', n.templates, under('/back-office/modeles'))}
    ${ctx.user?.admin ? link('/back-office/procedures', ctx.t.procedures.nav, under('/back-office/procedures')) : ''}
    ${ctx.user?.admin ? link('/back-office/espaces', ctx.t.spaces.nav, under('/back-office/espaces')) : ''}
    ${ctx.user?.admin ? link('/back-office/webhooks', ctx.t.webhooks.title, under('/back-office/webhooks')) : ''}
    ${ctx.user?.admin ? link('/back-office/equipe', ctx.t.team.nav, under('/back-office/equipe')) : ''}
    ${ctx.user?.admin ? link('/back-office/jetons-api', ctx.t.apiTokens.nav, under('/back-office/jetons-api')) : ''}
    ${link('/back-office/reglages', n.settings, under('/back-office/reglages'))}`;
}

export function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
}

export function errorSummary(ctx: PageContext, errors: string[]): Html {
  if (errors.length === 0) return html``;
  return html`<div class="errors" role="alert" tabindex="-1" id="errors">
    <p>${ctx.t.errors.formHasErrors}</p>
    <ul>${errors.map((e) => html`<li>${e}</li>`)}</ul>
  </div>`;
}

/** A page that only says what went wrong (403, 404, 503, a refused view). */
export function errorPage(ctx: PageContext, title: string, text: string) {
  return layout(ctx, title, html`<section class="card narrow"><h1>${title}</h1><p>${text}</p></section>`);
}
