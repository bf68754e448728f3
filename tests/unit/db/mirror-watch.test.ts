// "A client is looking" (db/mirror-watch.ts) on the embedded database (PGlite): never looked is
// unknown, a look is remembered with its age by PostgreSQL's clock, and the write is throttled:
// a look within WATCH_WRITE_EVERY_SECONDS of the last written one writes nothing.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientLookedMsAgo, noteClientLooking, WATCH_WRITE_EVERY_SECONDS } from '../../../db/mirror-watch.js';
import { openMemoryDb, type MemoryDb } from '../helpers/memory-db.js';

let memory: MemoryDb;

beforeAll(async () => {
  memory = await openMemoryDb();
}, 60_000);
afterAll(async () => {
  await memory?.close();
});

/** Moves the last look `secondsAgo` back, as time passing would. */
async function lookedAgo(secondsAgo: number): Promise<void> {
  await sql`update mirror_watch set seen_at = now() - make_interval(secs => ${secondsAgo})`.execute(memory.db);
}

const seenAt = async () =>
  (await memory.db.selectFrom('mirror_watch').select('seen_at').executeTakeFirstOrThrow()).seen_at;

describe('the mirror watch', () => {
  it('knows nobody looked yet, then how long ago a client page was served', async () => {
    expect(await clientLookedMsAgo(memory.db)).toBeNull();
    await noteClientLooking(memory.db);
    const ago = await clientLookedMsAgo(memory.db);
    expect(ago).not.toBeNull();
    expect(ago!).toBeGreaterThanOrEqual(0);
    expect(ago!).toBeLessThan(1000);
  });

  it('writes at most once per throttle window, then again once it is over', async () => {
    await lookedAgo(WATCH_WRITE_EVERY_SECONDS - 5);
    const before = await seenAt();
    await noteClientLooking(memory.db);
    await noteClientLooking(memory.db);
    // Within the window: nothing written, the age keeps growing.
    expect((await seenAt()).getTime()).toBe(before.getTime());
    expect(await clientLookedMsAgo(memory.db)).toBeGreaterThanOrEqual((WATCH_WRITE_EVERY_SECONDS - 5) * 1000);

    await lookedAgo(WATCH_WRITE_EVERY_SECONDS + 1);
    await noteClientLooking(memory.db);
    expect(await clientLookedMsAgo(memory.db)).toBeLessThan(1000);
    const rows = await memory.db.selectFrom('mirror_watch').selectAll().execute();
    expect(rows).toHaveLength(1);
  });

  it('keeps one row: a second one is refused', async () => {
    await expect(sql`insert into mirror_watch (id, seen_at) values (2, now())`.execute(memory.db)).rejects.toThrow();
  });
});
