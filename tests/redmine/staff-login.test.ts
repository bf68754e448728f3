// Staff sign in with their Redmine credentials, checked by the real Redmine; the local account
// follows the Redmine user and never holds the password. The integration key is an
// administrator's (staff access is read with it); the users are members of the mapped project.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../db/connect.js';
import type { Db } from '../../db/connect.js';
import type { RunningSystem } from '../../runtime/system.js';
import { loginWithRedmine } from '../../app/staff-login.js';
import { verifyRedmineCredentials } from '../../connectors/redmine/index.js';
import { freePort } from '../../runtime/ports.js';
import { createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv } from '../helpers/redmine.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let admin: RedmineAdmin;
let db: Db;

beforeAll(async () => {
  const env = redmineTestEnv();
  admin = new RedmineAdmin(env);
  const probe = await openDatabase({ url: inject('databaseUrl') });
  const space = await createSpace(probe.db, 'Connexion Redmine');
  await probe.close();
  system = await startTestSystem({
    REDMINE_URL: env.url,
    REDMINE_API_KEY: env.adminKey,
    REDMINE_PROJECTS: `${space.slug}=guichet-demo`,
  });
  db = system.database.db;
});

afterAll(async () => {
  await system?.stop();
  await admin?.cleanUp();
});

/** A Redmine user who may sign in: a member of the mapped project. */
async function staffUser(options: Parameters<RedmineAdmin['createLoginUser']>[0] = {}) {
  const user = await admin.createLoginUser(options);
  await admin.addMembership('guichet-demo', user.id, ['Developer']);
  return user;
}

async function staffAccount(login: string) {
  return db.selectFrom('accounts').selectAll().where('kind', '=', 'staff').where('redmine_login', '=', login).execute();
}

describe('staff sign-in with Redmine', () => {
  it('asks for the Redmine login, refuses a wrong password and creates nothing', async () => {
    const user = await staffUser();
    const browser = new Browser(system.app!);
    const page = await browser.get('/back-office/connexion');
    expect(page.body).toContain('Identifiant Redmine');
    expect(page.body).toContain('Connectez-vous avec votre identifiant et votre mot de passe Redmine.');
    const wrong = await browser.login(user.login, 'not-the-password', 'staff');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Identifiant ou mot de passe incorrect.');
    expect(await staffAccount(user.login)).toHaveLength(0);
  });

  it('creates the local account from the Redmine user, keeps it in step, and never stores the password', async () => {
    const user = await staffUser({ firstName: 'Julie', lastName: 'Moreau', admin: true });
    const browser = new Browser(system.app!);
    const ok = await browser.login(user.login, user.password, 'staff');
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/back-office');
    expect((await browser.get('/back-office')).statusCode).toBe(200);
    const [account] = await staffAccount(user.login);
    expect(account).toMatchObject({
      full_name: 'Julie Moreau',
      email: user.mail,
      is_admin: true,
      redmine_user_id: user.id,
      password_hash: null,
      pending_password_hash: null,
    });
    // Administrators edit templates: the flag came from Redmine.
    expect((await browser.get('/back-office/modeles/password/fr')).body).toContain('name="action"');

    // Redmine changes (name, admin flag) follow at the next sign-in, in the same account.
    await admin.updateUser(user.id, { lastname: 'Moreau-Petit', admin: false });
    const again = new Browser(system.app!);
    expect((await again.login(user.login, user.password, 'staff')).statusCode).toBe(303);
    const after = await staffAccount(user.login);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: account!.id, full_name: 'Julie Moreau-Petit', is_admin: false });
    expect(
      (
        await again.post(
          '/back-office/modeles/password/fr',
          { action: 'reset' },
          { formUrl: '/back-office/modeles/password/fr' },
        )
      ).statusCode,
    ).toBe(403);

    // The password is nowhere in the database.
    const audit = await db
      .selectFrom('audit_log')
      .select('details')
      .where('actor_account_id', '=', account!.id)
      .execute();
    expect(JSON.stringify(audit)).not.toContain(user.password);
    expect(JSON.stringify(after)).not.toContain(user.password);
  });

  it('refuses a locked Redmine user and local staff passwords (no second directory)', async () => {
    const user = await staffUser();
    await admin.updateUser(user.id, { status: 3 }); // locked
    expect((await new Browser(system.app!).login(user.login, user.password, 'staff')).statusCode).toBe(401);
    const { account, password } = await createStaff(db);
    const local = await new Browser(system.app!).login(account.email, password, 'staff');
    expect(local.statusCode).toBe(401);
  });

  it('says so when Redmine does not answer, and signs nobody in', async () => {
    const closed = await freePort();
    const verify = (login: string, password: string) =>
      verifyRedmineCredentials({ baseUrl: `http://127.0.0.1:${closed}`, timeoutMs: 2000 }, login, password);
    await expect(
      loginWithRedmine(db, verify, system.app!.deps.staffAccess, 'someone', 'secret-secret', '127.0.0.1'),
    ).resolves.toEqual({ ok: false, reason: 'unavailable' });
  });
});
