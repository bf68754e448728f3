// Users, groups, memberships and permissions: who someone is in Redmine, and what the API user may
// do in a project.
import { toUser } from './convert.js';
import type { IdName, RawRole, RawUser } from './raw.js';
import type { RedmineTransport } from './transport.js';
import type {
  NotePermissions,
  ProjectPermissions,
  RedmineClient,
  RedmineUser,
  RedmineUserAccess,
  RoleRef,
} from './types.js';

export type UserCalls = Pick<
  RedmineClient,
  | 'currentUser'
  | 'findUserByLogin'
  | 'getUser'
  | 'getUserAccess'
  | 'listGroups'
  | 'rolesOfCurrentUser'
  | 'permissionsInProject'
  | 'checkNotePermissions'
>;

/** A user's roles in one project, each once. */
function rolesInProject(user: RawUser, projectId: number): RoleRef[] {
  const roles = new Map<number, RoleRef>();
  for (const membership of user.memberships ?? []) {
    if (membership.project?.id !== projectId) continue;
    for (const role of membership.roles) {
      const known = roles.get(role.id);
      // Held both directly and through a group: direct wins.
      if (!known || (known.inherited && !role.inherited))
        roles.set(role.id, { id: role.id, name: role.name, ...(role.inherited ? { inherited: true } : {}) });
    }
  }
  return [...roles.values()];
}

/** A user with their status, groups and memberships (the projects they are in, with their roles). */
function toUserAccess(raw: RawUser): RedmineUserAccess {
  return {
    user: toUser(raw),
    ...(raw.status !== undefined ? { status: raw.status } : {}),
    ...(raw.groups ? { groups: raw.groups.map((g) => ({ id: g.id, name: g.name })) } : {}),
    memberships: (raw.memberships ?? [])
      .filter((m) => m.project)
      .map((m) => ({
        projectId: m.project!.id,
        roles: m.roles.map((r) => ({ id: r.id, name: r.name, ...(r.inherited ? { inherited: true } : {}) })),
      })),
  };
}

export function createUserCalls(t: RedmineTransport): UserCalls {
  async function membershipRoles(projectId: number): Promise<{ admin: boolean; roles: RoleRef[] }> {
    const user = await t.get<{ user: RawUser }>('/users/current.json', { include: 'memberships' }).then((r) => r.user);
    return { admin: user.admin === true, roles: rolesInProject(user, projectId) };
  }

  async function permissionsInProject(project: number | string): Promise<ProjectPermissions> {
    const projectId = await t.projectNumericId(project);
    const { admin, roles } = await membershipRoles(projectId);
    const permissions = new Set<string>();
    for (const role of roles) {
      const res = await t.get<{ role: RawRole }>(`/roles/${role.id}.json`);
      for (const p of res.role.permissions ?? []) permissions.add(p);
    }
    return { admin, roles, permissions };
  }

  return {
    async currentUser() {
      return toUser(await t.me());
    },

    async findUserByLogin(login: string): Promise<RedmineUser | undefined> {
      // `name` matches login, names and mail by substring; `status=` (empty) means any status.
      const users = await t.allPages<'users', RawUser>('/users.json', 'users', { name: login, status: '' });
      const user =
        users.find((u) => u.login === login) ?? users.find((u) => u.login.toLowerCase() === login.toLowerCase());
      return user ? toUser(user) : undefined;
    },

    async getUser(id: number): Promise<RedmineUser | undefined> {
      const res = await t.orUndefinedOn(404, t.get<{ user: RawUser }>(`/users/${id}.json`));
      return res ? toUser(res.user) : undefined;
    },

    async getUserAccess(id: number): Promise<RedmineUserAccess | undefined> {
      const res = await t.orUndefinedOn(
        404,
        t.get<{ user: RawUser }>(`/users/${id}.json`, { include: 'groups,memberships' }),
      );
      if (!res) return undefined;
      const raw = res.user;
      // A group's id answers 404 too, but be sure of what came back.
      if (raw.id !== id || typeof raw.login !== 'string') return undefined;
      return toUserAccess(raw);
    },

    async listGroups(): Promise<{ id: number; name: string }[] | undefined> {
      const res = await t.orUndefinedOn(403, t.get<{ groups: IdName[] }>('/groups.json'));
      return res?.groups.map((g) => ({ id: g.id, name: g.name }));
    },

    async rolesOfCurrentUser(project: number | string): Promise<RoleRef[]> {
      return (await membershipRoles(await t.projectNumericId(project))).roles;
    },

    permissionsInProject,

    async checkNotePermissions(project: number | string): Promise<NotePermissions> {
      const { admin, permissions } = await permissionsInProject(project);
      const has = (name: string) => admin || permissions.has(name);
      return {
        canSetPrivate: has('set_notes_private'),
        canViewPrivate: has('view_private_notes'),
        canEditIssues: has('edit_issues'),
        canAddNotes: has('add_issue_notes'),
      };
    },
  };
}
