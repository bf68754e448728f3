// Contributors (seed 002) and occasional access (seed 003): the "people with access" section of
// the staff case page, the main client's list and invitation form, the notice a contributor
// reads on their case, and the invitation pages. A contributor's pages name no other contributor.
import type { MemberView } from '../../db/contributors.js';
import { contributorRoles, CONTRIBUTOR_DEFAULTS } from '../../db/contributors.js';
import type { Case, DocumentTemplate, RolePermissions, TemplateRole } from '../../db/database.js';
import { formatDateTime } from '../../i18n/index.js';
import type { CaseView } from '../features/cases/parts.js';
import { html, type Html } from '../../domain/html.js';
import { csrfField, errorSummary, layout, type PageContext } from './layout.js';

export const OCCASIONAL = 'occasional';

export interface PersonForm {
  name?: string;
  email?: string;
  role?: string;
  notify?: boolean;
}

export function roleLabel(ctx: PageContext, roles: readonly TemplateRole[], code: string | null): string {
  if (code === null) return ctx.t.contributors.occasional;
  const role = roles.find((r) => r.code === code);
  return role ? (ctx.locale === 'en' ? role.en : role.fr) : code;
}

function statusText(ctx: PageContext, m: MemberView): Html {
  const t = ctx.t.contributors;
  const when = (d: Date | null) =>
    d ? html` <time datetime="${d.toISOString()}">${formatDateTime(d, ctx.locale)}</time>` : '';
  if (m.status === 'invited' && m.generation === 0) return html`<span class="badge">${t.notSent}</span>`;
  if (m.status === 'invited')
    return html`<span class="badge member-invited">${t.status.invited}</span> <span class="muted">${t.until}${when(m.invitationExpiresAt)}</span>`;
  if (m.status === 'active') return html`<span class="badge state-complete">${t.status.active}</span>`;
  return html`<span class="badge state-refused">${t.status[m.status]}</span>`;
}

/** The form adding a person; staff may also grant occasional access and send the invitation later
 * (the main client's invitation always goes at once). */
function personForm(
  ctx: PageContext,
  action: string,
  roles: readonly TemplateRole[],
  area: 'staff' | 'owner',
  values: PersonForm,
): Html {
  const t = ctx.t.contributors;
  const choices = [
    ...roles.map((r) => ({ code: r.code, label: roleLabel(ctx, roles, r.code) })),
    ...(area === 'staff' ? [{ code: OCCASIONAL, label: t.occasionalChoice }] : []),
  ];
  return html`<form method="post" action="${action}" class="person-form" novalidate>
  ${csrfField(ctx)}
  <label for="p-name">${t.name}</label>
  <input id="p-name" name="name" autocomplete="off" maxlength="200" value="${values.name ?? ''}">
  <label for="p-email">${t.email}</label>
  <input id="p-email" name="email" type="email" inputmode="email" autocomplete="off" maxlength="254" value="${values.email ?? ''}">
  <label for="p-role">${t.role}</label>
  <select id="p-role" name="role">
    ${choices.map((c) => html`<option value="${c.code}"${c.code === values.role ? html` selected` : ''}>${c.label}</option>`)}
  </select>
  ${area === 'staff' ? html`<label class="check"><input type="checkbox" name="notify" value="1"${values.notify === false ? '' : html` checked`}> ${t.notify}</label>` : ''}
  <button type="submit" class="primary">${t.add}</button>
</form>`;
}

function memberRows(ctx: PageContext, kase: Case, people: NonNullable<CaseView['people']>): Html {
  const t = ctx.t.contributors;
  const base =
    people.viewer === 'staff' ? `/back-office/dossiers/${kase.id}/contributeurs` : `/dossiers/${kase.id}/contributeurs`;
  if (people.members.length === 0) return html`<p class="muted">${t.none}</p>`;
  return html`<ul class="people">
  ${people.members.map(
    (m) => html`<li class="person" id="member-${m.id}">
    <span class="person-name"><strong>${m.fullName}</strong>${people.viewer === 'staff' ? html` <span class="muted">${m.email}</span>` : ''}</span>
    <span class="muted">${roleLabel(ctx, people.roles, m.kind === 'occasional' ? null : m.role)}</span>
    ${statusText(ctx, m)}
    ${
      people.viewer === 'staff' && (m.status === 'invited' || m.status === 'expired')
        ? html`<form method="post" action="${base}/${m.id}/invitation" class="inline">${csrfField(ctx)}<button type="submit" class="link" aria-label="${t.sendLabel(m.fullName)}">${m.generation === 0 ? t.send : t.resend}</button></form>`
        : ''
    }
    ${
      people.viewer === 'staff' && (m.status === 'invited' || m.status === 'active')
        ? html`<form method="post" action="${base}/${m.id}/revocation" class="inline">${csrfField(ctx)}<button type="submit" class="link" aria-label="${t.revokeLabel(m.fullName)}">${t.revoke}</button></form>`
        : ''
    }
  </li>`,
  )}
</ul>`;
}

/** The staff case page's section (seed 003 "people with access", seed 002 contributors). */
export function staffPeopleSection(ctx: PageContext, view: CaseView): Html {
  const people = view.people;
  if (!people) return html``;
  const t = ctx.t.contributors;
  return html`<section class="card people-section" id="people" aria-labelledby="people-title">
  <h2 id="people-title">${t.peopleTitle}</h2>
  ${memberRows(ctx, view.kase, people)}
  ${
    view.kase.status !== 'closed'
      ? html`<details class="add-person"><summary>${t.addTitle}</summary>
    ${personForm(ctx, `/back-office/dossiers/${view.kase.id}/contributeurs`, people.roles.slice(1), 'staff', {})}
  </details>`
      : ''
  }
</section>`;
}

/** On the client's case page: a contributor learns what they see; the owner, who has access. */
export function accessNotice(ctx: PageContext, view: CaseView): Html {
  const t = ctx.t.contributors;
  const access = view.access;
  if (!access) return html``;
  if (access.kind === 'occasional') return html`<p class="card notice" id="access-notice">${t.occasionalNotice}</p>`;
  if (access.kind === 'contributor')
    return html`<p class="card notice" id="access-notice">${t.contributorNotice(ctx.t.documents.role[access.role ?? ''] ?? access.role ?? '')}</p>`;
  const people = view.people;
  if (!people || (people.members.length === 0 && !people.mayInvite)) return html``;
  return html`<section class="card people-section" id="people" aria-labelledby="people-title">
  <h2 id="people-title">${t.peopleTitle}</h2>
  ${memberRows(ctx, view.kase, people)}
  ${people.mayInvite && !ctx.view && view.kase.status !== 'closed' ? html`<p><a href="/dossiers/${view.kase.id}/contributeurs">${t.inviteLink}</a></p>` : ''}
</section>`;
}

/** The add form on its own page: where its errors are shown, and the main client's invite page. */
export function personFormPage(
  ctx: PageContext,
  page: { kase: Case; roles: TemplateRole[]; area: 'staff' | 'owner'; values: PersonForm; errors: string[] },
): Html {
  const t = ctx.t.contributors;
  const back = page.area === 'staff' ? `/back-office/dossiers/${page.kase.id}` : `/dossiers/${page.kase.id}`;
  const action = `${back}/contributeurs`;
  return layout(
    ctx,
    t.addTitle,
    html`<p><a href="${back}">← ${page.kase.title}</a></p>
<h1>${t.addTitle}</h1>
<p class="muted">${ctx.t.documents.caseNumber(page.kase.number)}</p>
${page.area === 'owner' ? html`<p class="intro">${t.ownerIntro}</p>` : ''}
${errorSummary(ctx, page.errors)}
${personForm(ctx, action, page.roles, page.area, page.values)}`,
  );
}

export function invitationPage(
  ctx: PageContext,
  page: {
    token: string;
    caseTitle: string;
    caseNumber: string;
    role: string;
    occasional: boolean;
    inviterName: string;
    expiresAt: Date;
  },
): Html {
  const t = ctx.t.contributors;
  return layout(
    ctx,
    t.invitationTitle,
    html`<h1>${t.invitationTitle}</h1>
<div class="card">
  <p>${page.occasional ? t.occasionalIntro(page.inviterName, page.caseNumber) : t.invitationIntro(page.inviterName, page.caseNumber, page.role)}</p>
  <p><strong>${page.caseTitle}</strong></p>
  <p class="muted">${t.until} <time datetime="${page.expiresAt.toISOString()}">${formatDateTime(page.expiresAt, ctx.locale)}</time></p>
  <form method="post" action="/invitation/${page.token}">
    ${csrfField(ctx)}
    <button type="submit" class="primary">${t.accept}</button>
  </form>
</div>`,
  );
}

export function invitationInvalidPage(ctx: PageContext): Html {
  const t = ctx.t.contributors;
  return layout(
    ctx,
    t.invalidTitle,
    html`<h1>${t.invalidTitle}</h1>
<div class="errors" role="alert"><p>${t.invalidHelp}</p></div>
<p><a href="/connexion">${ctx.t.contributors.toLogin}</a></p>`,
  );
}

export const PERMISSION_KEYS = ['view', 'deposit', 'message', 'seeAll'] as const satisfies ReadonlyArray<
  keyof RolePermissions
>;

/** On the procedure editor: what each contributor role may do, and whether the main client invites. */
export function rolePermissionsForm(ctx: PageContext, template: DocumentTemplate): Html {
  const t = ctx.t.contributors;
  const roles = contributorRoles(template);
  return html`<form method="post" action="/back-office/procedures/${template.id}/contributeurs" class="card role-permissions" id="permissions" novalidate>
  ${csrfField(ctx)}
  <h2>${t.permissionsTitle}</h2>
  <p class="help">${t.permissionsHelp}</p>
  ${roles.length === 0 ? html`<p class="muted">${t.noRoles}</p>` : ''}
  ${roles.map((r) => {
    const perms = r.permissions ?? CONTRIBUTOR_DEFAULTS;
    return html`<fieldset>
    <legend>${ctx.locale === 'en' ? r.en : r.fr}</legend>
    ${PERMISSION_KEYS.map((k) => html`<label class="check"><input type="checkbox" name="${r.code}-${k}" value="1"${perms[k] ? html` checked` : ''}> ${t.perm[k]}</label>`)}
  </fieldset>`;
  })}
  <label class="check"><input type="checkbox" name="invitable" value="1"${template.contributors_invitable ? html` checked` : ''}> ${t.invitable}</label>
  <button type="submit" class="primary">${t.savePermissions}</button>
</form>`;
}
