// A client who starts looking ends the poll's back-off (issue #18), against the real Redmine 5.0
// in a project of the test's own: once nothing changed for REDMINE_POLL_ACTIVE_SECONDS (1 s here)
// the wait between polls doubles towards REDMINE_POLL_IDLE_SECONDS (60 s); a client page served
// during such a wait brings the next poll within a fast period (REDMINE_POLL_SECONDS, 0.5 s, plus
// one PostgreSQL read), and staff's note posted then reaches the client's page. The polls are
// counted by a TCP proxy between Guichet and Redmine: their start times do not depend on how fast
// the shared Redmine answers.
//
// The watch row is one per deployment, and test files share the database: a client page served
// by another test file also keeps this poll fast. That can only make a back-off end earlier, which
// is the rule under test; that nobody looking lets the poll back off is in
// tests/unit/redmine-poll.test.ts.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Db } from '../../db/connect.js';
import { createRedmineClient, type RedmineClient } from '../../connectors/redmine/index.js';
import type { Space } from '../../db/database.js';
import { clientLookedMsAgo, WATCH_WRITE_EVERY_SECONDS } from '../../db/mirror-watch.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique, openConversationWithIssue } from '../helpers/redmine.js';
import { startTestSystem } from '../helpers/system.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

let system: RunningSystem & { url: string };
let proxy: TcpProxy;
let staff: RedmineClient;
let admin: RedmineAdmin;
let space: Space;
let db: Db;

beforeAll(async () => {
  const env = redmineTestEnv();
  admin = new RedmineAdmin(env);
  staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  const project = await admin.createProject();
  const apiUser = await createRedmineClient({ baseUrl: env.url, apiKey: env.apiKey }).currentUser();
  await admin.addMembership(project.id, apiUser.id, ['Guichet API']);
  proxy = await startTcpProxy({ target: env.url });
  // The space must exist before the system maps it; any database will do for that.
  const probe = await openDatabase({ url: inject('databaseUrl') });
  space = await createSpace(probe.db, 'Gestion locative');
  await probe.close();
  system = await startTestSystem({
    REDMINE_URL: proxy.url,
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${space.slug}=${project.identifier}`,
    STAFF_LOGIN: 'local',
    REDMINE_POLL_SECONDS: '0.5',
    REDMINE_POLL_IDLE_SECONDS: '60',
    REDMINE_POLL_ACTIVE_SECONDS: '1',
    REDMINE_POLL_WATCH_SECONDS: '30',
    REDMINE_RESCAN_MINUTES: '60',
  });
  db = system.database.db;
});

afterAll(async () => {
  await system?.stop();
  await proxy?.close();
  await admin?.cleanUp();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('a client looking', () => {
  it(
    "ends the poll's back-off when a client opens a thread, and staff's note reaches the page",
    { timeout: 120_000 },
    async () => {
      const { account, password } = await createClient(db, { space, name: 'Claire Martin' });
      const browser = new Browser(system.app!);
      await browser.login(account.email, password);
      const { conversationId, issueId } = await openConversationWithIssue(
        browser,
        db,
        admin,
        { spaceId: space.id, subject: unique('Chauffage'), body: 'Bonjour,\nle chauffage ne marche plus.' },
        30_000,
      );
      const thread = `/conversations/${conversationId}`;

      // Guichet's own note settles (the client's message; the acknowledgement is in the issue's
      // description, no note), then nothing changes and nobody looks for 20 s: the poll's wait has
      // doubled to 8 s or more.
      await eventually(
        () => staff.getIssue(issueId, { journals: true }),
        (issue) => (issue?.journals?.length ?? 0) >= 1,
        "Guichet's note",
      );
      await sleep(20_000);

      // The client opens the thread, and staff answer at that moment.
      proxy.resetCount();
      const looked = Date.now();
      expect((await browser.get(thread)).statusCode).toBe(200);
      // The page noted the look (throttled: within the write window).
      expect(await clientLookedMsAgo(db)).toBeLessThan((WATCH_WRITE_EVERY_SECONDS + 2) * 1000);
      const body = unique('Le technicien passe demain matin.');
      await staff.addNote(issueId, { notes: body });
      await eventually(
        async () => (await browser.get(thread)).body,
        (html) => html.includes(body),
        'the note on the page',
        30_000,
      );
      // The back-off ended at the look: a poll started within a fast period and a database read
      // (4 s allows for a loaded machine), where the doubled wait had 8 s or more to go.
      const polls = proxy.requests.filter((r) => r.path === '/issues.json');
      expect(polls.length).toBeGreaterThan(0);
      expect(polls[0]!.at - looked).toBeLessThan(4000);
      // And the client kept looking: the poll stays fast (no wait doubled past 2 s meanwhile).
      const gaps = polls.slice(1).map((p, i) => p.at - polls[i]!.at);
      expect(gaps.every((g) => g < 8000)).toBe(true);
    },
  );
});
