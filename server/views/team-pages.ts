// The staff directory for administrators: who is a head of service (may open the confidential
// view of a client's space). Everything else about a person comes from Redmine.
import type { Account } from '../../db/database.js';
import { TEAM_ROLES } from '../../db/team.js';
import { html } from './html.js';
import { csrfField, layout, type PageContext } from './layout.js';

export function teamPage(ctx: PageContext, staff: Account[]) {
  const t = ctx.t.team;
  return layout(
    ctx,
    t.title,
    html`<h1>${t.title}</h1>
<p class="help">${t.intro}</p>
<div class="table-wrap"><table class="case-table team-table">
  <thead><tr><th scope="col">${t.name}</th><th scope="col">${t.email}</th><th scope="col">${t.admin}</th><th scope="col">${t.role}</th></tr></thead>
  <tbody>
  ${staff.map((s) => {
    const role = s.staff_role === 'manager' ? 'manager' : 'agent';
    return html`<tr>
    <td data-label="${t.name}">${s.full_name}${s.redmine_login ? html` <span class="muted">(${s.redmine_login})</span>` : ''}</td>
    <td data-label="${t.email}">${s.email}</td>
    <td data-label="${t.admin}">${s.is_admin ? t.yes : t.no}</td>
    <td data-label="${t.role}"><form method="post" action="/back-office/equipe/${s.id}/role" class="assign-form">
      ${csrfField(ctx)}
      <label for="role-${s.id}" class="visually-hidden">${t.roleOf(s.full_name)}</label>
      <select id="role-${s.id}" name="role">${TEAM_ROLES.map((r) => html`<option value="${r}"${r === role ? ' selected' : ''}>${t.roles[r]}</option>`)}</select>
      <button type="submit">${t.save}</button>
    </form></td>
  </tr>`;
  })}
  </tbody>
</table></div>`,
  );
}
