// Who may use the back-office when staff sign in through Redmine, read with the integration
// user's (administrator's) key: the user's own credentials only prove who they are. Staff are the
// members of REDMINE_STAFF_GROUP, or without one the members of a mapped project; administrators
// the members of REDMINE_ADMIN_GROUP, or without one Redmine's administrators. The spaces a staff
// member sees follow their project memberships (those held through a group included). Checked at
// each sign-in and again by the staff access schedule (workflows/staff-access.ts); a user Redmine
// no longer lets in loses the back-office, sessions included.
import { sql } from 'kysely';
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import { audit } from '../db/audit.js';
import { endAccountSessions } from '../db/sessions.js';
import type { RedmineClient, RedmineUser, RedmineUserAccess } from '../connectors/redmine/index.js';
import { normalizeEmail } from '../db/accounts.js';
import { isEmail } from '../domain/validation.js';
import type { RedmineMirrorContext } from '../connectors/redmine/mirror-context.js';

export interface StaffAccessSettings {
  client: RedmineClient;
  /** The integration user: never staff. */
  apiUserId: number;
  /** Status and groups are shown to administrators only: without such a key nobody is let in. */
  adminKey: boolean;
  /** Space slug → Redmine project id (REDMINE_PROJECTS, resolved). */
  projectIdBySlug: Map<string, number>;
  staffGroupId?: number | undefined;
  adminGroupId?: number | undefined;
}

export type StaffAccessRefusal = 'integration_user' | 'removed' | 'locked' | 'not_staff' | 'unverifiable';

export type StaffAccessDecision =
  { allowed: true; admin: boolean; projectIds: number[] } | { allowed: false; reason: StaffAccessRefusal };

export class StaffAccessSetupError extends Error {
  override name = 'StaffAccessSetupError';
}

/** The name and e-mail a Redmine user gets here. */
export function staffProfile(user: RedmineUser): { email: string; fullName: string } {
  // A Redmine user who hides their e-mail still needs one here (accounts are keyed by it).
  const email = normalizeEmail(user.mail && isEmail(user.mail) ? user.mail : `${user.login}@redmine.invalid`);
  return { email, fullName: `${user.firstName} ${user.lastName}`.trim() || user.login };
}

/** Redmine's user status for an active account (2 is registered, 3 locked). */
const ACTIVE = 1;

function findGroup(groups: { id: number; name: string }[], wanted: string) {
  const id = /^\d+$/.test(wanted) ? Number(wanted) : undefined;
  return groups.find((g) => g.id === id || g.name.toLowerCase() === wanted.toLowerCase());
}

/**
 * The settings of Redmine sign-in, checked once at start-up; undefined when staff sign in with
 * local accounts. A group that is named must exist and the key must be an administrator's (only
 * they see groups): otherwise the start stops. Without a group and without an administrator's
 * key the start goes on (the mirror works) but every staff sign-in is refused, and said so in the
 * log: Redmine would not tell us who is locked or an administrator.
 */
export async function resolveStaffAccess(
  config: Config,
  redmine: RedmineMirrorContext | undefined,
): Promise<StaffAccessSettings | undefined> {
  if (config.staffLogin !== 'redmine' || !redmine) return undefined;
  const groupsWanted = [config.REDMINE_STAFF_GROUP, config.REDMINE_ADMIN_GROUP].filter(
    (g): g is string => g !== undefined,
  );
  const problems: string[] = [];
  let staffGroupId: number | undefined;
  let adminGroupId: number | undefined;
  if (!redmine.adminKey && (groupsWanted.length > 0 || config.STAFF_LOGIN === 'redmine')) {
    problems.push(
      'REDMINE_API_KEY: staff sign-in through Redmine needs an administrator’s key (only administrators see users’ groups, status and administrator flag)',
    );
  } else if (groupsWanted.length > 0) {
    const groups = (await redmine.client.listGroups()) ?? [];
    if (config.REDMINE_STAFF_GROUP) {
      staffGroupId = findGroup(groups, config.REDMINE_STAFF_GROUP)?.id;
      if (staffGroupId === undefined)
        problems.push(`REDMINE_STAFF_GROUP: no Redmine group "${config.REDMINE_STAFF_GROUP}"`);
    }
    if (config.REDMINE_ADMIN_GROUP) {
      adminGroupId = findGroup(groups, config.REDMINE_ADMIN_GROUP)?.id;
      if (adminGroupId === undefined)
        problems.push(`REDMINE_ADMIN_GROUP: no Redmine group "${config.REDMINE_ADMIN_GROUP}"`);
    }
  }
  if (problems.length > 0)
    throw new StaffAccessSetupError(`Staff sign-in through Redmine cannot start:\n  - ${problems.join('\n  - ')}`);
  return {
    client: redmine.client,
    apiUserId: redmine.apiUserId,
    adminKey: redmine.adminKey,
    projectIdBySlug: redmine.projectIdBySlug,
    staffGroupId,
    adminGroupId,
  };
}

/** What Redmine's answer about a user means for the back-office. Pure. */
export function decideStaffAccess(
  settings: StaffAccessSettings,
  redmineUserId: number,
  access: RedmineUserAccess | undefined,
): StaffAccessDecision {
  if (redmineUserId === settings.apiUserId) return { allowed: false, reason: 'integration_user' };
  if (!access) return { allowed: false, reason: 'removed' };
  if (access.user.id !== redmineUserId) return { allowed: false, reason: 'removed' };
  // A key that is not an administrator's sees neither status nor groups: refuse rather than guess.
  if (!settings.adminKey || access.status === undefined || access.groups === undefined)
    return { allowed: false, reason: 'unverifiable' };
  if (access.status !== ACTIVE) return { allowed: false, reason: 'locked' };
  const mapped = new Set(settings.projectIdBySlug.values());
  const projectIds = [
    ...new Set(access.memberships.filter((m) => mapped.has(m.projectId) && m.roles.length > 0).map((m) => m.projectId)),
  ].sort((a, b) => a - b);
  const inGroup = (id: number) => access.groups!.some((g) => g.id === id);
  const staff = settings.staffGroupId !== undefined ? inGroup(settings.staffGroupId) : projectIds.length > 0;
  if (!staff) return { allowed: false, reason: 'not_staff' };
  const admin = settings.adminGroupId !== undefined ? inGroup(settings.adminGroupId) : access.user.admin;
  return { allowed: true, admin, projectIds };
}

/** Reads the user with the integration key and decides. Redmine down throws. */
export async function checkRedmineUser(
  settings: StaffAccessSettings,
  redmineUserId: number,
): Promise<{ decision: StaffAccessDecision; access: RedmineUserAccess | undefined }> {
  if (redmineUserId === settings.apiUserId)
    return { decision: { allowed: false, reason: 'integration_user' }, access: undefined };
  const access = await settings.client.getUserAccess(redmineUserId);
  return { decision: decideStaffAccess(settings, redmineUserId, access), access };
}

/** The spaces mapped to these Redmine projects. */
async function spacesOfProjects(
  db: Db,
  settings: StaffAccessSettings,
  projectIds: readonly number[],
): Promise<string[]> {
  const slugs = [...settings.projectIdBySlug].filter(([, id]) => projectIds.includes(id)).map(([slug]) => slug);
  if (slugs.length === 0) return [];
  const rows = await db.selectFrom('spaces').select('id').where('slug', 'in', slugs).execute();
  return rows.map((r) => r.id);
}

/**
 * Writes what Redmine allows: the administrator flag, the spaces from the memberships (the
 * previous `redmine` rows replaced; spaces given locally stay), the time of the check, and the
 * account usable again (a user Redmine lets in again after a lock).
 */
export async function grantStaffAccess(
  db: Db,
  settings: StaffAccessSettings,
  accountId: string,
  decision: Extract<StaffAccessDecision, { allowed: true }>,
  user: RedmineUser,
): Promise<void> {
  const spaceIds = await spacesOfProjects(db, settings, decision.projectIds);
  await db.transaction().execute(async (tx) => {
    // The e-mail follows Redmine unless another staff account holds it (it is never a link).
    const { email, fullName } = staffProfile(user);
    const clash = await tx
      .selectFrom('accounts')
      .select('id')
      .where('kind', '=', 'staff')
      .where('email', '=', email)
      .where('id', '!=', accountId)
      .executeTakeFirst();
    await tx
      .updateTable('accounts')
      .set({
        is_admin: decision.admin,
        access_checked_at: new Date(),
        disabled_at: null,
        full_name: fullName,
        // Answers are posted in the staff member's name by login: it follows a renamed user.
        redmine_login: user.login,
        ...(clash ? {} : { email }),
      })
      .where('id', '=', accountId)
      .execute();
    await tx.deleteFrom('staff_spaces').where('account_id', '=', accountId).where('source', '=', 'redmine').execute();
    if (spaceIds.length > 0) {
      await tx
        .insertInto('staff_spaces')
        .values(spaceIds.map((space_id) => ({ account_id: accountId, space_id, source: 'redmine' as const })))
        .onConflict((oc) => oc.columns(['account_id', 'space_id']).doNothing())
        .execute();
    }
  });
}

/**
 * Redmine no longer lets this user in: the account is disabled (no session is found for a
 * disabled account, and sign-in refuses it until Redmine lets the user in again), its Redmine
 * spaces and administrator flag go, and every session ends. Returns the sessions ended.
 */
export async function revokeStaffAccess(
  db: Db,
  accountId: string,
  reason: StaffAccessRefusal,
  via: 'login' | 'recheck',
): Promise<number> {
  const ended = await db.transaction().execute(async (tx) => {
    const now = new Date();
    await tx
      .updateTable('accounts')
      .set({ is_admin: false, access_checked_at: now })
      .where('id', '=', accountId)
      .execute();
    await tx
      .updateTable('accounts')
      .set({ disabled_at: now })
      .where('id', '=', accountId)
      .where('disabled_at', 'is', null)
      .execute();
    await tx.deleteFrom('staff_spaces').where('account_id', '=', accountId).where('source', '=', 'redmine').execute();
    return endAccountSessions(tx, accountId);
  });
  await audit(db, {
    actorAccountId: null,
    actorKind: 'system',
    action: 'staff.access_revoked',
    subjectType: 'account',
    subjectId: accountId,
    details: { reason, via, sessionsEnded: ended },
  });
  return ended;
}

export interface RecheckResult {
  checked: number;
  revoked: number;
  sessionsEnded: number;
  more: boolean;
}

/**
 * One batch of the periodic re-check: the Redmine-linked staff accounts still usable and not
 * checked since `checkedBefore`, oldest check first. With a key that is not an administrator's,
 * nobody can be confirmed, and every account checked is revoked (fail closed). Redmine unreachable throws (the activity is
 * retried); a user's answer is applied in its own transaction.
 */
export async function recheckStaffBatch(
  db: Db,
  settings: StaffAccessSettings,
  options: { checkedBefore: Date; limit: number },
): Promise<RecheckResult> {
  const due = await db
    .selectFrom('accounts')
    .select(['id', 'redmine_user_id'])
    .where('kind', '=', 'staff')
    .where('redmine_user_id', 'is not', null)
    .where('disabled_at', 'is', null)
    // Every sign-in through Redmine writes a check time: an account linked without one never
    // signed in that way (nothing to take back), e.g. one an administrator is preparing.
    .where('access_checked_at', 'is not', null)
    .where(sql<boolean>`access_checked_at < ${options.checkedBefore}`)
    .orderBy('access_checked_at')
    .limit(options.limit)
    .execute();
  const result: RecheckResult = { checked: 0, revoked: 0, sessionsEnded: 0, more: due.length === options.limit };
  for (const account of due) {
    const { decision, access } = await checkRedmineUser(settings, account.redmine_user_id!);
    result.checked++;
    if (!decision.allowed) {
      result.revoked++;
      result.sessionsEnded += await revokeStaffAccess(db, account.id, decision.reason, 'recheck');
    } else {
      await grantStaffAccess(db, settings, account.id, decision, access!.user);
    }
  }
  return result;
}
