// The change feed's purge on the embedded database (PGlite, the default run mode): batches take
// the oldest changes in feed order, stop at the retention, remember where they cut (never moving
// the cut back), and a cursor below the cut is expired while one at it missed nothing.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeCursorExpired, purgeApiChanges } from '../../../db/purges.js';
import { openMemoryDb, type MemoryDb } from '../helpers/memory-db.js';

let memory: MemoryDb;

beforeAll(async () => {
  memory = await openMemoryDb();
}, 60_000);
afterAll(async () => {
  await memory?.close();
});

/** One change per transaction, `daysAgo` old; its position in the feed. */
async function change(daysAgo: number): Promise<{ txid: string; position: number }> {
  const row = await memory.db
    .insertInto('api_changes')
    .values({
      kind: 'case',
      entity_id: randomUUID(),
      space_id: randomUUID(),
      case_id: null,
      operation: 'insert',
      at: sql<Date>`now() - make_interval(days => ${daysAgo})`,
    })
    .returning([sql<string>`txid::text`.as('txid'), 'position'])
    .executeTakeFirstOrThrow();
  return { txid: row.txid, position: Number(row.position) };
}

describe('purge of the change feed', () => {
  it('cuts in feed order, in batches, up to the retention, and expires the cursors below the cut', async () => {
    const db = memory.db;
    const old = [await change(100), await change(95), await change(91)];
    const young = await change(10);

    // Nothing purged yet: no cursor is expired.
    expect(await changeCursorExpired(db, old[0]!)).toBe(false);

    expect(await purgeApiChanges(db, 90, 2)).toBe(2);
    // The first two went: a cursor on the first is below the cut; on the second, at it.
    expect(await changeCursorExpired(db, old[0]!)).toBe(true);
    expect(await changeCursorExpired(db, old[1]!)).toBe(false);
    expect(await changeCursorExpired(db, { txid: '1', position: 0 })).toBe(true);

    expect(await purgeApiChanges(db, 90, 2)).toBe(1);
    expect(await changeCursorExpired(db, old[1]!)).toBe(true);
    expect(await changeCursorExpired(db, old[2]!)).toBe(false);
    expect(await changeCursorExpired(db, young)).toBe(false);

    // Nothing left past the retention: nothing deleted, the cut stays where it was.
    expect(await purgeApiChanges(db, 90, 2)).toBe(0);
    expect(await changeCursorExpired(db, old[2]!)).toBe(false);
    const left = await db.selectFrom('api_changes').select('position').execute();
    expect(left.map((r) => Number(r.position))).toEqual([young.position]);

    // A shorter retention later takes the young one too, and moves the cut forward only.
    expect(await purgeApiChanges(db, 5, 10)).toBe(1);
    expect(await changeCursorExpired(db, old[2]!)).toBe(true);
    expect(await changeCursorExpired(db, young)).toBe(false);
    const horizon = await db.selectFrom('purge_horizons').select('position').executeTakeFirstOrThrow();
    expect(Number(horizon.position)).toBe(young.position);
  });
});
