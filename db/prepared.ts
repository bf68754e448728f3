// A query built and compiled by Kysely once, then run with new values each time: for the query of
// the most requested page (the client's conversation list), where building and compiling the
// query was a visible share of a request's CPU (bench/conversation-list.ts, bench/README.md).
// The query is built with named markers in place of its values; the compiled SQL is kept, and
// each run puts the values where the markers were. Anything else of the query is fixed at the
// first run: a value that is not one of the names stays as it was built.
import { CompiledQuery, type Compilable } from 'kysely';
import type { Db } from './connect.js';

const MARK = '\u0000guichet-value:';

export type PreparedQuery<V, R> = (db: Db, values: V) => Promise<R[]>;

export function preparedQuery<V extends Record<string, unknown>, R>(
  build: (db: Db, values: V) => Compilable<R>,
  names: ReadonlyArray<keyof V & string>,
): PreparedQuery<V, R> {
  let compiled: { sql: string; slots: Array<{ name: keyof V & string } | { value: unknown }> } | undefined;
  const compile = (db: Db) => {
    const marks = Object.fromEntries(names.map((n) => [n, `${MARK}${n}`])) as unknown as V;
    const query = build(db, marks).compile();
    const slots = query.parameters.map((p) =>
      typeof p === 'string' && p.startsWith(MARK) ? { name: p.slice(MARK.length) } : { value: p },
    );
    for (const name of names) {
      if (!slots.some((s) => 'name' in s && s.name === name))
        throw new Error(`preparedQuery: "${name}" is not a value of the query`);
    }
    return { sql: query.sql, slots };
  };
  return async (db, values) => {
    compiled ??= compile(db);
    const parameters = compiled.slots.map((s) => ('name' in s ? values[s.name] : s.value));
    return (await db.executeQuery<R>(CompiledQuery.raw(compiled.sql, parameters))).rows;
  };
}
