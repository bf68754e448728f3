// db/prepared.ts on the embedded database (PGlite, no service): a query compiled once answers
// each run with that run's values, exactly as the same query built afresh; a name that is not a
// value of the query is refused when it is first compiled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../db/connect.js';
import { preparedQuery } from '../../../db/prepared.js';
import { openMemoryDb, type MemoryDb } from '../helpers/memory-db.js';

let memory: MemoryDb;

beforeAll(async () => {
  memory = await openMemoryDb();
  await memory.db
    .insertInto('spaces')
    .values(['Alpha', 'Bravo', 'Charlie', 'Delta'].map((name) => ({ name, slug: name.toLowerCase() })))
    .execute();
}, 60_000);
afterAll(async () => {
  await memory?.close();
});

const build = (db: Db, v: { after: string; limit: number }) =>
  db
    .selectFrom('spaces')
    .select('name')
    .where('name', '>', v.after)
    .where('name', '!=', 'Zulu')
    .orderBy('name')
    .limit(v.limit);

describe('preparedQuery', () => {
  it('runs the compiled query with the values of each run, as the query built afresh', async () => {
    const run = preparedQuery(build, ['after', 'limit']);
    for (const values of [
      { after: 'A', limit: 2 },
      { after: 'Bravo', limit: 10 },
      { after: 'Delta', limit: 1 },
    ]) {
      const prepared = await run(memory.db, values);
      const fresh = await build(memory.db, values).execute();
      expect(prepared).toEqual(fresh);
    }
    expect((await run(memory.db, { after: 'A', limit: 2 })).map((r) => r.name)).toEqual(['Alpha', 'Bravo']);
    expect((await run(memory.db, { after: 'Charlie', limit: 5 })).map((r) => r.name)).toEqual(['Delta']);
  });

  it('refuses a name that is not a value of the query', async () => {
    const run = preparedQuery(
      (db: Db, v: { after: string; unused: string }) => build(db, { after: v.after, limit: 1 }),
      ['after', 'unused'],
    );
    await expect(run(memory.db, { after: 'A', unused: 'x' })).rejects.toThrow(/"unused" is not a value of the query/);
  });
});
