// The client's conversation list (the page and the JSON API) checks the session in the list's
// own query (plugins/auth `clientSessionInQuery`, db/conversations.ts
// listClientConversationsOfSession): one database round trip per request, and the same refusals
// as every other client route: a session ended elsewhere (another server process, a new
// password), idle or past its absolute limit, or of a disabled account is refused at once; a
// live one is kept alive; a client sees only their own conversations.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { sql } from 'kysely';
import type { Db } from '../../db/connect.js';
import { createConversation, insertMessage } from '../../db/conversations.js';
import type { Account, Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let db: Db;
let space: Space;

beforeAll(async () => {
  system = await startTestSystem();
  db = system.database.db;
  space = await createSpace(db, 'Copropriété Les Tilleuls');
});
afterAll(() => system?.stop());

const HTML = '/conversations';
const API = '/api/v1/conversations?limit=50';

/** A client with `subjects` conversations (the last one most recent), signed in. */
async function signedInClient(subjects: string[]): Promise<{ account: Account; browser: Browser }> {
  const { account, password } = await createClient(db, { space });
  const start = Date.now() - subjects.length * 60_000;
  for (const [i, subject] of subjects.entries()) {
    const conversation = await createConversation(db, {
      id: randomUUID(),
      spaceId: space.id,
      clientAccountId: account.id,
      subject,
      cc: '',
    });
    await insertMessage(db, {
      id: randomUUID(),
      conversationId: conversation.id,
      authorKind: 'client',
      authorAccountId: account.id,
      authorDisplayName: account.full_name,
      body: `Message ${i}`,
      createdAt: new Date(start + i * 60_000),
    });
  }
  const browser = new Browser(system.app!);
  const login = await browser.login(account.email, password);
  expect(login.statusCode).toBe(303);
  return { account, browser };
}

/** Queries reaching PostgreSQL during one request; the smallest of five tries, so that the
 * worker's polling and the settings cache (other queries of the same process) are not counted. */
async function queriesOf(browser: Browser, url: string): Promise<number> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let count = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  try {
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      count = 0;
      const res = await browser.get(url);
      expect(res.statusCode).toBe(200);
      counts.push(count);
    }
    return Math.min(...counts);
  } finally {
    proto.query = original;
  }
}

describe("the client's conversation list checks the session in its own query", () => {
  it('lists only the signed-in client’s conversations, with the total, in one database query', async () => {
    const { account, browser } = await signedInClient(['Fuite au 2e', 'Badge du parking', 'Chaudière']);
    // Another client's conversations exist and must not show.
    await signedInClient(['Demande de quelqu’un d’autre']);

    const page = await browser.get(HTML);
    expect(page.statusCode).toBe(200);
    const subjects = [...page.body.matchAll(/<span class="subject">([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(subjects).toEqual(['Chaudière', 'Badge du parking', 'Fuite au 2e']);
    // The dates read back from the query's JSON are the stored ones, to the millisecond.
    const stored = await db
      .selectFrom('conversations')
      .select('last_message_at')
      .where('client_account_id', '=', account.id)
      .orderBy('last_message_at', 'desc')
      .execute();
    const shown = [...page.body.matchAll(/<time datetime="([^"]+)">/g)].map((m) => m[1]);
    expect(shown).toEqual(stored.map((r) => r.last_message_at.toISOString()));
    expect(page.body).not.toContain('quelqu’un d’autre');

    const api = await browser.get(API);
    expect(api.statusCode).toBe(200);
    const body = api.json<{ total: number; items: Array<{ subject: string; space: string }> }>();
    expect(body.total).toBe(3);
    expect(body.items.map((i) => i.subject)).toEqual(['Chaudière', 'Badge du parking', 'Fuite au 2e']);
    expect(body.items[0]?.space).toBe('Copropriété Les Tilleuls');
    // Past the last page: no item, the total still told, still one query.
    const past = await browser.get('/api/v1/conversations?limit=2&page=3');
    expect(past.json<{ total: number; items: unknown[] }>()).toMatchObject({ total: 3, items: [] });

    expect(await queriesOf(browser, HTML)).toBe(1);
    expect(await queriesOf(browser, API)).toBe(1);
  });

  it('refuses at once a session ended elsewhere, idle, too old or of a disabled account', async () => {
    const cases: Array<{ why: string; end: (account: Account) => Promise<unknown> }> = [
      {
        why: 'ended by another server process',
        end: (a) => db.deleteFrom('sessions').where('account_id', '=', a.id).execute(),
      },
      {
        why: 'idle past SESSION_IDLE_MINUTES',
        end: (a) =>
          db
            .updateTable('sessions')
            .set({ last_seen_at: sql<Date>`now() - interval '31 minutes'` })
            .where('account_id', '=', a.id)
            .execute(),
      },
      {
        why: 'past SESSION_MAX_HOURS',
        end: (a) =>
          db
            .updateTable('sessions')
            .set({ created_at: sql<Date>`now() - interval '13 hours'` })
            .where('account_id', '=', a.id)
            .execute(),
      },
      {
        why: 'of a disabled account',
        end: (a) => db.updateTable('accounts').set({ disabled_at: new Date() }).where('id', '=', a.id).execute(),
      },
    ];
    for (const { why, end } of cases) {
      const { account, browser } = await signedInClient([`Sujet confidentiel ${why}`]);
      expect((await browser.get(HTML)).statusCode, why).toBe(200);
      await end(account);
      const page = await browser.get(HTML);
      expect(page.statusCode, why).toBe(302);
      expect(page.headers.location, why).toBe('/connexion?expire=1');
      expect(page.body, why).not.toContain('Sujet confidentiel');
      const api = await browser.get(API, { 'accept-language': 'en' });
      expect(api.statusCode, why).toBe(401);
      expect(api.json(), why).toEqual({
        message: 'Your session expired after 30 minutes of inactivity. Please log in again.',
      });
    }
  });

  it('refuses a forged cookie as an ended session and no cookie as a visitor', async () => {
    const forged = new Browser(system.app!);
    forged.setCookie('guichet_session', 'forged-token-that-no-session-has');
    expect((await forged.get(HTML)).headers.location).toBe('/connexion?expire=1');
    expect((await forged.get(API)).statusCode).toBe(401);
    const visitor = new Browser(system.app!);
    expect((await visitor.get(HTML)).headers.location).toBe('/connexion');
    expect((await visitor.get(API)).statusCode).toBe(401);
  });

  it('keeps a live session alive, at most one write a minute', async () => {
    const { account, browser } = await signedInClient(['Relevé de charges']);
    const seen = async () =>
      (
        await db
          .selectFrom('sessions')
          .select('last_seen_at')
          .where('account_id', '=', account.id)
          .executeTakeFirstOrThrow()
      ).last_seen_at;
    await db
      .updateTable('sessions')
      .set({ last_seen_at: sql<Date>`now() - interval '20 minutes'` })
      .where('account_id', '=', account.id)
      .execute();
    const before = await seen();
    expect((await browser.get(API)).statusCode).toBe(200);
    const touched = await seen();
    expect(touched.getTime()).toBeGreaterThan(before.getTime() + 19 * 60_000);
    // Within the minute: no new write.
    expect((await browser.get(HTML)).statusCode).toBe(200);
    expect((await seen()).getTime()).toBe(touched.getTime());
  });
});
