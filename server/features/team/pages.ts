// The staff directory for administrators: who is a head of service (may open the confidential
// view of a client's space), and, with local staff accounts, which spaces each person sees and
// who leaves the team. With Redmine sign-in, names and spaces come from Redmine.
import { TEAM_ROLES, type TeamView } from './view-models.js';
import { html } from '../../../domain/html.js';
import { csrfField, layout, type PageContext } from '../../views/layout.js';

export function teamPage(ctx: PageContext, view: TeamView) {
  const t = ctx.t.team;
  const spaceName = new Map(view.spaces.map((s) => [s.id, s.name]));
  return layout(
    ctx,
    t.title,
    html`<h1>${t.title}</h1>
<p class="help">${view.local ? t.introLocal : t.introRedmine} ${t.intro}</p>
${view.local ? '' : html`<p class="help">${t.spacesFromRedmine}</p>`}
<div class="table-wrap"><table class="case-table team-table">
  <thead><tr><th scope="col">${t.name}</th><th scope="col">${t.email}</th><th scope="col">${t.admin}</th><th scope="col">${t.role}</th><th scope="col">${t.spaces}</th>${view.local ? html`<th scope="col">${t.removal}</th>` : ''}</tr></thead>
  <tbody>
  ${view.staff.map((s) => {
    const role = s.role;
    const given = new Set((view.spacesOf.get(s.id) ?? []).map((g) => g.spaceId));
    const names = [...given].map((id) => spaceName.get(id)).filter((n): n is string => n !== undefined);
    const spacesCell = s.isAdmin
      ? html`${t.allSpaces}`
      : view.local
        ? html`${names.length > 0 ? names.join(', ') : t.noSpace}
    <details class="confirm-delete team-spaces"><summary class="button">${t.editSpaces}</summary>
    <form method="post" action="/back-office/equipe/${s.id}/espaces" class="assign-form">
      ${csrfField(ctx)}
      <fieldset><legend>${t.spacesOf(s.fullName)}</legend>
      ${view.spaces.map((sp) => html`<label class="check"><input type="checkbox" name="space" value="${sp.id}"${given.has(sp.id) ? ' checked' : ''}> ${sp.name}</label>`)}
      </fieldset>
      <button type="submit">${t.saveSpaces}</button>
    </form></details>`
        : html`${names.length > 0 ? names.join(', ') : t.noSpace}`;
    return html`<tr>
    <td data-label="${t.name}">${s.fullName}${s.redmineLogin ? html` <span class="muted">(${s.redmineLogin})</span>` : ''}</td>
    <td data-label="${t.email}">${breakableEmail(s.email)}</td>
    <td data-label="${t.admin}">${s.isAdmin ? t.yes : t.no}</td>
    <td data-label="${t.role}"><form method="post" action="/back-office/equipe/${s.id}/role" class="assign-form">
      ${csrfField(ctx)}
      <label for="role-${s.id}" class="visually-hidden">${t.roleOf(s.fullName)}</label>
      <select id="role-${s.id}" name="role">${TEAM_ROLES.map((r) => html`<option value="${r}"${r === role ? ' selected' : ''}>${t.roles[r]}</option>`)}</select>
      <button type="submit">${t.save}</button>
    </form></td>
    <td data-label="${t.spaces}">${spacesCell}</td>
    ${
      view.local
        ? html`<td data-label="${t.removal}">${
            s.id === view.viewerId
              ? ''
              : html`<details class="confirm-delete"><summary class="button danger">${t.removeShort}</summary>
    <form method="post" action="/back-office/equipe/${s.id}/suppression" class="assign-form">
      ${csrfField(ctx)}
      <label class="check"><input type="checkbox" name="confirm" value="1" required> ${t.removeConfirm(s.fullName)}</label>
      <button type="submit" class="danger">${t.remove}</button>
    </form></details>`
          }</td>`
        : ''
    }
  </tr>`;
  })}
  </tbody>
</table></div>`,
  );
}

/** An address that may break before its domain rather than in the middle of a word. */
function breakableEmail(email: string) {
  const at = email.lastIndexOf('@');
  return at <= 0 ? html`${email}` : html`${email.slice(0, at)}<wbr>@${email.slice(at + 1)}`;
}
