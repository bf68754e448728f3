// What the team page shows, made from the staff accounts and the spaces.
import type { Account, Space } from '../../../db/database.js';
import type { TeamRole } from '../../../db/team.js';

export { TEAM_ROLES } from '../../../db/team.js';

/** One person in the team. */
export interface TeamMember {
  id: string;
  fullName: string;
  /** Their Redmine login, when they sign in with Redmine. */
  redmineLogin: string | null;
  email: string;
  isAdmin: boolean;
  role: TeamRole;
}

/** A space that can be given to a staff member. */
export interface SpaceOption {
  id: string;
  name: string;
}

export interface TeamView {
  staff: TeamMember[];
  spaces: SpaceOption[];
  /** Space ids given to each staff member. */
  spacesOf: Map<string, Array<{ spaceId: string }>>;
  /** STAFF_LOGIN=local: spaces are given here and people removed here. */
  local: boolean;
  /** The administrator looking: they cannot remove themselves. */
  viewerId: string;
}

export function teamMemberOf(account: Account): TeamMember {
  return {
    id: account.id,
    fullName: account.full_name,
    redmineLogin: account.redmine_login,
    email: account.email,
    isAdmin: account.is_admin,
    role: account.staff_role === 'manager' ? 'manager' : 'agent',
  };
}

export function spaceOptionOf(space: Space): SpaceOption {
  return { id: space.id, name: space.name };
}
