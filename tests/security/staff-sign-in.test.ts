// Who may sign in to the back-office through Redmine, against the real Redmine, PostgreSQL and
// Temporal dev server. Hostile cases (an outsider, an API key typed as the login, a locked user,
// the integration user, someone who sets a staff member's e-mail on their Redmine account) sign
// nobody in; members get the spaces of their projects; REDMINE_STAFF_GROUP and
// REDMINE_ADMIN_GROUP decide when set; the scheduled re-check throws out, sessions included,
// users Redmine locks, deletes or takes out of every mapped project after they signed in.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { sql } from 'kysely';
import { openDatabase, type Db } from '../../db/connect.js';
import type { Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { verifyRedmineCredentials } from '../../connectors/redmine/index.js';
import { staffAccessCheckWorkflow, staffAccessScheduleId, STAFF_RECHECK_EVERY_MINUTES } from '../../workflows/index.js';
import { createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, type TestUser } from '../helpers/redmine.js';
import { startTestSystem } from '../helpers/system.js';
import { up as endUnlinkedSessions } from '../../db/migrations/2026-12-03-016-end-unlinked-redmine-staff-sessions.js';

type LoginUser = TestUser & { password: string; mail: string };

let admin: RedmineAdmin;
let db: Db;
/**
 * Spaces mapped to REDMINE_PROJECTS, each to a project of this file's own (not guichet-demo: each
 * system here mirrors its projects into the shared test database, which would race with the
 * mirror tests' own system for guichet-demo's issues).
 */
let demo: Space;
let other: Space;
let demoProject: { id: number; identifier: string };
let otherProject: { id: number; identifier: string };
/** The integration user: an administrator whose key Guichet uses, with a known password. */
let integration: LoginUser;
let integrationKey: string;
/** A group that is a member of `other` (its members hold the membership by inheritance). */
let projectGroup: { id: number; name: string };
let staffGroup: { id: number; name: string };
let adminGroup: { id: number; name: string };
/** Without groups: members of a mapped project are staff, Redmine administrators are admins. */
let byProject: RunningSystem & { url: string };
/** With REDMINE_STAFF_GROUP and REDMINE_ADMIN_GROUP. */
let byGroup: RunningSystem & { url: string };
let connection: Connection;
let temporal: Client;

beforeAll(async () => {
  const env = redmineTestEnv();
  admin = new RedmineAdmin(env);
  integration = await admin.createLoginUser({ admin: true, firstName: 'Guichet', lastName: 'Intégration' });
  integrationKey = await admin.apiKeyOf(integration.id);
  demoProject = await admin.createProject();
  otherProject = await admin.createProject();
  // The non-administrator integration user (for the systems that use its key) writes there too.
  const guichetApi = await admin.http.json<{ users: { id: number; login: string }[] }>({
    method: 'GET',
    path: '/users.json',
    query: { name: 'guichet-api' },
  });
  const guichetApiId = guichetApi.data!.users.find((u) => u.login === 'guichet-api')!.id;
  await admin.addMembership(demoProject.id, guichetApiId, ['Guichet API']);
  projectGroup = await admin.createGroup();
  await admin.addMembership(otherProject.id, projectGroup.id, ['Developer']);
  staffGroup = await admin.createGroup();
  adminGroup = await admin.createGroup();
  // Only the integration-user rule should keep it out: it is a member of a mapped project.
  await admin.addMembership(demoProject.id, integration.id, ['Developer']);

  const probe = await openDatabase({ url: inject('databaseUrl') });
  demo = await createSpace(probe.db, 'Espace démo');
  other = await createSpace(probe.db, 'Autre espace');
  await probe.close();
  const redmine = {
    REDMINE_URL: env.url,
    REDMINE_API_KEY: integrationKey,
    REDMINE_PROJECTS: `${demo.slug}=${demoProject.identifier},${other.slug}=${otherProject.identifier}`,
    STAFF_LOGIN: 'redmine',
  };
  byProject = await startTestSystem(redmine);
  byGroup = await startTestSystem({
    ...redmine,
    REDMINE_STAFF_GROUP: staffGroup.name,
    REDMINE_ADMIN_GROUP: String(adminGroup.id),
  });
  db = byProject.database.db;
  connection = await Connection.connect({ address: inject('temporalAddress') });
  temporal = new Client({ connection });
});

afterAll(async () => {
  await connection?.close();
  await byGroup?.stop();
  await byProject?.stop();
  await admin?.cleanUp();
});

/** A Redmine user with a known password, member of these projects (Developer). */
async function redmineUser(projects: (number | string)[] = [], options: { admin?: boolean } = {}): Promise<LoginUser> {
  const user = await admin.createLoginUser(options);
  for (const project of projects) await admin.addMembership(project, user.id, ['Developer']);
  return user;
}

const accountOf = (redmineUserId: number) =>
  db
    .selectFrom('accounts')
    .selectAll()
    .where('kind', '=', 'staff')
    .where('redmine_user_id', '=', redmineUserId)
    .executeTakeFirst();
const spacesOf = async (accountId: string) =>
  (
    await db
      .selectFrom('staff_spaces')
      .select(['space_id', 'source'])
      .where('account_id', '=', accountId)
      .orderBy('space_id')
      .execute()
  ).map((r) => `${r.space_id}:${r.source}`);
const sessionsOf = async (accountId: string) =>
  (await db.selectFrom('sessions').select('id').where('account_id', '=', accountId).execute()).length;
/** Successful sign-ins of these Redmine users (other test files share the database). */
const successes = async (redmineUserIds: number[]) =>
  Number(
    (
      await db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('action', '=', 'login.success')
        .where(sql<boolean>`(details->>'redmineUserId')::int = any(${redmineUserIds})`)
        .executeTakeFirstOrThrow()
    ).n,
  );
/** Sessions opened since then for no account of a known Redmine user of this test. */
const sessionsSince = async (since: Date, redmineUserIds: number[]) =>
  Number(
    (
      await db
        .selectFrom('sessions')
        .innerJoin('accounts', 'accounts.id', 'sessions.account_id')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('sessions.created_at', '>=', since)
        .where(sql<boolean>`accounts.redmine_user_id = any(${redmineUserIds})`)
        .executeTakeFirstOrThrow()
    ).n,
  );

async function signIn(system: RunningSystem, login: string, password: string) {
  const browser = new Browser(system.app!);
  const res = await browser.login(login, password, 'staff');
  return { browser, status: res.statusCode, body: res.body };
}

describe('hostile sign-ins through Redmine', () => {
  it('signs in none of: an outsider, an API key as the login, a locked member, the integration user', async () => {
    const outsider = await redmineUser();
    const member = await redmineUser([demoProject.id]);
    const memberKey = await admin.apiKeyOf(member.id);
    const locked = await redmineUser([demoProject.id]);
    await admin.lockUser(locked.id);
    // Redmine itself accepts a key as the Basic-auth user name with any password.
    const direct = await fetch(`${redmineTestEnv().url}/users/current.json`, {
      headers: { authorization: `Basic ${Buffer.from(`${memberKey}:anything`).toString('base64')}` },
    });
    expect(direct.status).toBe(200);

    const before = new Date(Date.now() - 1000);
    const hostileIds = [outsider.id, member.id, locked.id, integration.id];
    const attempts: Array<[string, string, string]> = [
      ['outsider (no project, no group)', outsider.login, outsider.password],
      ['the integration user’s API key as the login', integrationKey, 'any-password-at-all'],
      ['a member’s API key as the login', memberKey, 'any-password-at-all'],
      ['the same key in capitals', memberKey.toUpperCase(), 'x'],
      ['a locked member', locked.login, locked.password],
      ['the integration user with its own password', integration.login, integration.password],
    ];
    let signedIn = 0;
    for (const [what, login, password] of attempts) {
      for (const system of [byProject, byGroup]) {
        const { status, body, browser } = await signIn(system, login, password);
        expect(status, what).toBe(401);
        expect(body, what).toContain('Identifiant ou mot de passe incorrect.');
        if ((await browser.get('/back-office')).statusCode === 200) signedIn++;
      }
    }
    expect(signedIn).toBe(0);
    expect(await successes(hostileIds)).toBe(0);
    expect(await sessionsSince(before, hostileIds)).toBe(0);
    for (const user of [outsider, locked, integration]) expect(await accountOf(user.id)).toBeUndefined();
    expect(await accountOf(member.id)).toBeUndefined();
    // The connector refuses the key before asking Redmine.
    await expect(
      verifyRedmineCredentials({ baseUrl: redmineTestEnv().url }, memberKey, 'anything'),
    ).resolves.toBeUndefined();
    // The member signs in with their own login and password.
    expect((await signIn(byProject, member.login, member.password)).status).toBe(303);
  });

  it('does not hand a staff account to a Redmine user who sets its e-mail on their Redmine account', async () => {
    const { account: victim } = await createStaff(db, { name: 'Victor Victime', admin: true });
    const attacker = await redmineUser([demoProject.id]);
    await admin.updateUser(attacker.id, { mail: victim.email });
    const { status, browser } = await signIn(byProject, attacker.login, attacker.password);
    // The attacker is staff in their own right (a project member), in their own account.
    expect(status).toBe(303);
    const mine = await accountOf(attacker.id);
    expect(mine).toBeDefined();
    expect(mine!.id).not.toBe(victim.id);
    expect(mine!.email).not.toBe(victim.email);
    expect(mine!.is_admin).toBe(false);
    const after = await db.selectFrom('accounts').selectAll().where('id', '=', victim.id).executeTakeFirstOrThrow();
    expect(after).toMatchObject({
      email: victim.email,
      full_name: 'Victor Victime',
      is_admin: true,
      redmine_user_id: null,
      redmine_login: null,
    });
    expect(await sessionsOf(victim.id)).toBe(0);
    // The victim's administrator rights did not come along.
    expect((await browser.get('/back-office/modeles/password/fr')).body).not.toContain('name="action"');
    // A second sign-in finds the same (attacker's own) account, still not the victim's.
    expect((await signIn(byProject, attacker.login, attacker.password)).status).toBe(303);
    expect((await accountOf(attacker.id))!.id).toBe(mine!.id);
  });

  it('links an account made before the Redmine user id existed by its stored login, never by e-mail', async () => {
    const user = await redmineUser([demoProject.id]);
    const { account: legacy } = await createStaff(db, { name: 'Ancien compte' });
    await db.updateTable('accounts').set({ redmine_login: user.login }).where('id', '=', legacy.id).execute();
    const { account: sameMail } = await createStaff(db, { name: 'Même adresse' });
    await admin.updateUser(user.id, { mail: sameMail.email });
    expect((await signIn(byProject, user.login, user.password)).status).toBe(303);
    expect((await accountOf(user.id))!.id).toBe(legacy.id);
    expect(
      (
        await db
          .selectFrom('accounts')
          .select('redmine_user_id')
          .where('id', '=', sameMail.id)
          .executeTakeFirstOrThrow()
      ).redmine_user_id,
    ).toBeNull();
  });
});

describe('a Redmine that cannot tell who is staff', () => {
  it('stops the start when a group is named but the key is not an administrator’s, or the group does not exist', async () => {
    const env = redmineTestEnv();
    const base = { REDMINE_URL: env.url, REDMINE_PROJECTS: `${demo.slug}=${demoProject.identifier}` };
    await expect(
      startTestSystem({ ...base, REDMINE_API_KEY: env.apiKey, REDMINE_STAFF_GROUP: staffGroup.name }),
    ).rejects.toThrow(/REDMINE_API_KEY: staff sign-in through Redmine needs an administrator/);
    await expect(startTestSystem({ ...base, REDMINE_API_KEY: env.apiKey, STAFF_LOGIN: 'redmine' })).rejects.toThrow(
      /needs an administrator/,
    );
    await expect(
      startTestSystem({ ...base, REDMINE_API_KEY: integrationKey, REDMINE_ADMIN_GROUP: `nope-${randomUUID()}` }),
    ).rejects.toThrow(/REDMINE_ADMIN_GROUP: no Redmine group/);
  }, 150_000);

  it('with a key that is not an administrator’s (STAFF_LOGIN implied), signs nobody in and says it is not set up, before any password is tried', async () => {
    const env = redmineTestEnv();
    const weak = await startTestSystem({
      REDMINE_URL: env.url,
      REDMINE_API_KEY: env.apiKey,
      REDMINE_PROJECTS: `${demo.slug}=${demoProject.identifier}`,
    });
    try {
      const member = await redmineUser([demoProject.id]);
      for (const password of [member.password, 'wrong-password']) {
        const res = await signIn(weak, member.login, password);
        expect(res.status).toBe(503);
        expect(res.body).toContain('La connexion par Redmine n’est pas configurée correctement');
      }
      expect(await accountOf(member.id)).toBeUndefined();
    } finally {
      await weak.stop();
    }
  }, 150_000);
});

describe('accounts signed in through Redmine before the link', () => {
  it('lose their sessions once (migration 016), which the re-check could not reach; others keep theirs', async () => {
    class Rollback extends Error {}
    const kept = await db
      .transaction()
      .execute(async (tx) => {
        const { account: legacy } = await createStaff(tx, { name: 'Ancienne connexion' });
        await tx
          .updateTable('accounts')
          .set({ redmine_login: `legacy-${randomUUID()}` })
          .where('id', '=', legacy.id)
          .execute();
        const { account: local } = await createStaff(tx, { name: 'Compte local' });
        for (const [i, account] of [legacy, local].entries()) {
          await tx
            .insertInto('sessions')
            .values({
              id: `m016-${i}-${randomUUID()}`,
              account_id: account.id,
              kind: 'staff',
              last_seen_at: new Date(),
              ip: null,
              user_agent: null,
            })
            .execute();
        }
        await endUnlinkedSessions(tx);
        const left = await tx
          .selectFrom('sessions')
          .select('account_id')
          .where('account_id', 'in', [legacy.id, local.id])
          .execute();
        // Nothing of this stays: other test files share the database.
        throw Object.assign(new Rollback(), {
          left: left.map((r) => (r.account_id === legacy.id ? 'legacy' : 'local')),
        });
      })
      .catch((err: unknown) => {
        if (err instanceof Rollback) return (err as Rollback & { left: string[] }).left;
        throw err;
      });
    expect(kept).toEqual(['local']);
  });
});

describe('staff and their spaces, from Redmine', () => {
  it('signs a project member in with the spaces of their projects only, group memberships included', async () => {
    const direct = await redmineUser([otherProject.id]);
    const { status, browser } = await signIn(byProject, direct.login, direct.password);
    expect(status).toBe(303);
    expect((await browser.get('/back-office')).statusCode).toBe(200);
    const account = (await accountOf(direct.id))!;
    expect(account).toMatchObject({ is_admin: false, disabled_at: null, redmine_login: direct.login });
    expect(account.access_checked_at).not.toBeNull();
    expect(await spacesOf(account.id)).toEqual([`${other.id}:redmine`]);

    // Through a group: Redmine lists the group's project among the user's memberships (inherited).
    const viaGroup = await redmineUser();
    await admin.addToGroup(projectGroup.id, viaGroup.id);
    const access = await byProject.app!.deps.staffAccess!.client.getUserAccess(viaGroup.id);
    expect(access?.memberships).toEqual([
      { projectId: otherProject.id, roles: [expect.objectContaining({ name: 'Developer', inherited: true })] },
    ]);
    expect((await signIn(byProject, viaGroup.login, viaGroup.password)).status).toBe(303);
    expect(await spacesOf((await accountOf(viaGroup.id))!.id)).toEqual([`${other.id}:redmine`]);

    // The next check replaces the Redmine rows; a space given locally stays.
    await admin.addMembership(demoProject.id, direct.id, ['Reporter']);
    const local = await createSpace(db, 'Espace local');
    await db
      .insertInto('staff_spaces')
      .values({ account_id: account.id, space_id: local.id, source: 'local' })
      .execute();
    expect((await signIn(byProject, direct.login, direct.password)).status).toBe(303);
    expect(await spacesOf(account.id)).toEqual(
      [`${demo.id}:redmine`, `${other.id}:redmine`, `${local.id}:local`].sort(),
    );
  });

  it('takes Redmine administrators as administrators when no group names them', async () => {
    const boss = await redmineUser([demoProject.id], { admin: true });
    const { status, browser } = await signIn(byProject, boss.login, boss.password);
    expect(status).toBe(303);
    expect((await accountOf(boss.id))!.is_admin).toBe(true);
    expect((await browser.get('/back-office/modeles/password/fr')).body).toContain('name="action"');
  });

  it('with REDMINE_STAFF_GROUP, lets in its members only; with REDMINE_ADMIN_GROUP, only its members are administrators', async () => {
    const memberOnly = await redmineUser([demoProject.id]);
    const inGroup = await redmineUser();
    const redmineAdmin = await redmineUser([], { admin: true });
    const named = await redmineUser([otherProject.id]);
    for (const user of [inGroup, redmineAdmin, named]) await admin.addToGroup(staffGroup.id, user.id);
    await admin.addToGroup(adminGroup.id, named.id);

    expect((await signIn(byGroup, memberOnly.login, memberOnly.password)).status).toBe(401);
    expect(await accountOf(memberOnly.id)).toBeUndefined();

    expect((await signIn(byGroup, inGroup.login, inGroup.password)).status).toBe(303);
    const inGroupAccount = (await accountOf(inGroup.id))!;
    expect(inGroupAccount.is_admin).toBe(false);
    expect(await spacesOf(inGroupAccount.id)).toEqual([]);

    // Redmine's administrator flag does not count once a group names the administrators.
    expect((await signIn(byGroup, redmineAdmin.login, redmineAdmin.password)).status).toBe(303);
    expect((await accountOf(redmineAdmin.id))!.is_admin).toBe(false);

    const { status, browser } = await signIn(byGroup, named.login, named.password);
    expect(status).toBe(303);
    const namedAccount = (await accountOf(named.id))!;
    expect(namedAccount.is_admin).toBe(true);
    expect(await spacesOf(namedAccount.id)).toEqual([`${other.id}:redmine`]);
    expect((await browser.get('/back-office/modeles/password/fr')).body).toContain('name="action"');
  });
});

describe('the scheduled re-check', () => {
  it('is a Temporal schedule running the re-check every few minutes', async () => {
    const description = await temporal.schedule
      .getHandle(staffAccessScheduleId(byProject.config.TEMPORAL_TASK_QUEUE))
      .describe();
    expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'staffAccessCheckWorkflow' });
    expect(description.spec.intervals?.[0]?.every).toBe(STAFF_RECHECK_EVERY_MINUTES * 60_000);
    expect(STAFF_RECHECK_EVERY_MINUTES).toBeLessThanOrEqual(10);
  });

  it('throws out, sessions included, users locked, deleted or taken out of every mapped project since they signed in', async () => {
    const locked = await redmineUser([demoProject.id]);
    const deleted = await redmineUser([demoProject.id]);
    const leftGroup = await redmineUser();
    await admin.addToGroup(projectGroup.id, leftGroup.id);
    const keeper = await redmineUser([demoProject.id], { admin: true });
    const users = { locked, deleted, leftGroup, keeper };
    const browsers = new Map<string, Browser>();
    for (const [name, user] of Object.entries(users)) {
      const { status, browser } = await signIn(byProject, user.login, user.password);
      expect(status, name).toBe(303);
      expect((await browser.get('/back-office')).statusCode, name).toBe(200);
      browsers.set(name, browser);
    }

    await admin.lockUser(locked.id);
    await admin.deleteUser(deleted.id);
    await admin.removeFromGroup(projectGroup.id, leftGroup.id);
    await admin.updateUser(keeper.id, { admin: false });
    // Time passes: their last check is older than the re-check's due time.
    const ids = await Promise.all(Object.values(users).map(async (u) => (await accountOf(u.id))!.id));
    await db
      .updateTable('accounts')
      .set({ access_checked_at: sql<Date>`now() - interval '10 minutes'` })
      .where('id', 'in', ids)
      .execute();

    const result = await temporal.workflow.execute(staffAccessCheckWorkflow, {
      workflowId: `staff-access-test-${randomUUID()}`,
      taskQueue: byProject.config.TEMPORAL_TASK_QUEUE,
      args: [{}],
    });
    expect(result.checked).toBeGreaterThanOrEqual(4);
    expect(result.revoked).toBeGreaterThanOrEqual(3);

    for (const name of ['locked', 'deleted', 'leftGroup'] as const) {
      const account = (await accountOf(users[name].id))!;
      expect(account.disabled_at, name).not.toBeNull();
      expect(await sessionsOf(account.id), name).toBe(0);
      expect(await spacesOf(account.id), name).toEqual([]);
      // The cookie they still hold opens nothing.
      const res = await browsers.get(name)!.get('/back-office');
      expect(res.statusCode, name).toBe(302);
      expect(res.headers.location, name).toMatch(/^\/back-office\/connexion/);
      const revoked = await db
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'staff.access_revoked')
        .where('subject_id', '=', account.id)
        .execute();
      expect(revoked, name).toHaveLength(1);
    }
    const reasons = await Promise.all(
      (['locked', 'deleted', 'leftGroup'] as const).map(async (name) => {
        const account = (await accountOf(users[name].id))!;
        const row = await db
          .selectFrom('audit_log')
          .select('details')
          .where('action', '=', 'staff.access_revoked')
          .where('subject_id', '=', account.id)
          .executeTakeFirstOrThrow();
        return (row.details as { reason: string }).reason;
      }),
    );
    expect(reasons).toEqual(['locked', 'removed', 'not_staff']);

    // The keeper is still in, no longer an administrator, checked just now.
    const keeperAccount = (await accountOf(keeper.id))!;
    expect(keeperAccount).toMatchObject({ disabled_at: null, is_admin: false });
    expect(keeperAccount.access_checked_at!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await browsers.get('keeper')!.get('/back-office')).statusCode).toBe(200);
    expect(await spacesOf(keeperAccount.id)).toEqual([`${demo.id}:redmine`]);

    // Unlocked in Redmine, the user signs in again (and only then gets back in).
    await admin.updateUser(locked.id, { status: 1 });
    expect((await browsers.get('locked')!.get('/back-office')).statusCode).toBe(302);
    expect((await signIn(byProject, locked.login, locked.password)).status).toBe(303);
    expect((await accountOf(locked.id))!.disabled_at).toBeNull();
  });

  it('ends the sessions of a user taken out of every mapped project at their next sign-in attempt too', async () => {
    const user = await redmineUser([demoProject.id]);
    const first = await signIn(byProject, user.login, user.password);
    expect(first.status).toBe(303);
    // Taken out of the project: their password still works in Redmine, not here.
    await admin.removeMembership(demoProject.id, user.id);
    expect((await signIn(byProject, user.login, user.password)).status).toBe(401);
    const account = (await accountOf(user.id))!;
    expect(account.disabled_at).not.toBeNull();
    expect(await sessionsOf(account.id)).toBe(0);
    expect((await first.browser.get('/back-office')).statusCode).toBe(302);
  });
});
