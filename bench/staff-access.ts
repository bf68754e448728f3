// How long one pass of the staff access re-check takes (workflows/staff-access.ts, the work of
// its activity): N Redmine users, members of guichet-demo, each linked to a staff account; every
// pass reads each one from Redmine with the administrator's key (`/users/{id}.json?include=
// groups,memberships`) and writes back spaces, administrator flag and check time, in batches of
// 25 as the workflow does. Temporal's own overhead (one activity task per batch) is not counted.
//
//   npx tsx bench/staff-access.ts [--users=50] [--passes=3]
//
// Needs what `bash scripts/provision.sh --with-redmine` sets up (.cache/services.env): a
// PostgreSQL server (a fresh database per run, dropped after) and the test Redmine, in which it
// creates the users (deleted after). Prints the numbers and the command that produced them.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { sql } from 'kysely';
import { createHttpClient } from '../connectors/http.js';
import { resolveMirrorContext } from '../connectors/redmine/mirror-context.js';
import { migrateToLatest, openDatabase } from '../db/connect.js';
import { recheckStaffBatch, resolveStaffAccess } from '../app/staff-access.js';
import { loadConfig } from '../config.js';
import { loadServicesEnv, required } from '../tests/helpers/services-env.js';

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = arg ? Number(arg.slice(name.length + 3)) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  return value;
}

const users = option('users', 50);
const passes = option('passes', 3);
loadServicesEnv();
const adminUrl = required('TEST_DATABASE_URL', 'a PostgreSQL server');
const redmineUrl = required('TEST_REDMINE_URL', 'the test Redmine');
const adminKey = required('TEST_REDMINE_ADMIN_KEY', 'the test Redmine');

const dbName = `guichet_bench_staff_${randomBytes(4).toString('hex')}`;
const root = new pg.Client({ connectionString: adminUrl });
await root.connect();
await root.query(`create database ${dbName}`);
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const database = await openDatabase({ url: url.toString() });
const redmineAdmin = createHttpClient({
  system: 'redmine-admin',
  baseUrl: redmineUrl,
  headers: { 'X-Redmine-API-Key': adminKey },
});
const created: number[] = [];
try {
  await migrateToLatest(database.db);
  const db = database.db;
  const space = await db
    .insertInto('spaces')
    .values({ slug: 'bench', name: 'Bench' })
    .returningAll()
    .executeTakeFirstOrThrow();
  const config = loadConfig({
    REDMINE_URL: redmineUrl,
    REDMINE_API_KEY: adminKey,
    REDMINE_PROJECTS: `${space.slug}=guichet-demo`,
    STAFF_LOGIN: 'redmine',
    DATABASE_URL: url.toString(),
    TEMPORAL_ADDRESS: 'unused:7233',
  });
  const redmine = await resolveMirrorContext({
    url: redmineUrl,
    apiKey: adminKey,
    projects: config.redmineProjects,
    emailField: config.REDMINE_EMAIL_FIELD,
    feedbackStatus: config.REDMINE_STATUS_FEEDBACK,
    resolvedStatus: config.REDMINE_STATUS_RESOLVED,
    staffNames: config.REDMINE_STAFF_NAMES,
    teamName: config.REDMINE_TEAM_NAME,
  });
  const settings = (await resolveStaffAccess(config, redmine))!;
  const roles = await redmineAdmin.json<{ roles: { id: number; name: string }[] }>({
    method: 'GET',
    path: '/roles.json',
  });
  const developer = roles.data!.roles.find((r) => r.name === 'Developer')!.id;
  for (let i = 0; i < users; i++) {
    const login = `bench-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const res = await redmineAdmin.json<{ user: { id: number } }>({
      method: 'POST',
      path: '/users.json',
      json: {
        user: {
          login,
          firstname: 'Bench',
          lastname: login,
          mail: `${login}@example.test`,
          password: randomBytes(12).toString('hex'),
        },
      },
    });
    const id = res.data!.user.id;
    created.push(id);
    await redmineAdmin.json({
      method: 'POST',
      path: '/projects/guichet-demo/memberships.json',
      json: { membership: { user_id: id, role_ids: [developer] } },
    });
    await db
      .insertInto('accounts')
      .values({
        kind: 'staff',
        email: `${login}@example.test`,
        full_name: login,
        staff_role: 'agent',
        redmine_login: login,
        redmine_user_id: id,
        password_hash: null,
        pending_password_hash: null,
        pending_password_expires_at: null,
        password_changed_at: null,
        last_login_at: null,
        disabled_at: null,
      })
      .execute();
  }
  const times: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    await db
      .updateTable('accounts')
      .set({ access_checked_at: sql<Date>`now() - interval '1 hour'` })
      .where('redmine_user_id', 'is not', null)
      .execute();
    const checkedBefore = new Date(Date.now() - 4 * 60_000);
    const started = performance.now();
    let checked = 0;
    let revoked = 0;
    for (;;) {
      const batch = await recheckStaffBatch(db, settings, { checkedBefore, limit: 25 });
      checked += batch.checked;
      revoked += batch.revoked;
      if (!batch.more) break;
    }
    times.push(performance.now() - started);
    if (checked !== users || revoked !== 0)
      throw new Error(`pass ${pass + 1}: checked ${checked}, revoked ${revoked}: expected ${users} and 0`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  process.stdout.write(
    [
      `command:   npx tsx bench/staff-access.ts --users=${users} --passes=${passes}`,
      `users:     ${users} (members of guichet-demo, each read from Redmine once per pass)`,
      `passes:    ${times.map((t) => `${Math.round(t)} ms`).join(', ')}`,
      `median:    ${Math.round(median)} ms per pass, ${(median / users).toFixed(1)} ms per user`,
      '',
    ].join('\n'),
  );
} finally {
  for (const id of created)
    await redmineAdmin.json({ method: 'DELETE', path: `/users/${id}.json` }).catch(() => undefined);
  await database.close();
  await root.query(`drop database if exists ${dbName}`);
  await root.end();
}
