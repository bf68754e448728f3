// Opens the database: a PostgreSQL server when a URL is given, else PGlite under the data dir.
import { Kysely, Migrator, PostgresDialect, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from './database.js';
import { migrations } from './migrations/index.js';
import { PGliteDialect } from './pglite-dialect.js';

export type Db = Kysely<Database>;

/** Runs `work` in the caller's transaction when `db` is one, else in a new one: a write that must
 * be all or nothing stays so, and a use case can add its own rows (an audit entry) to it. */
export function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

export interface DatabaseOptions {
  url?: string | undefined;
  /** Directory for the embedded database when there is no URL. */
  embeddedDir?: string;
  poolSize?: number;
}

export interface OpenDatabase {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

// Dates come back as Date objects; int8 (counts) as numbers when they fit.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export async function openDatabase(options: DatabaseOptions): Promise<OpenDatabase> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (!options.embeddedDir) throw new Error('openDatabase: either a URL or an embedded directory is required');
  await mkdir(path.dirname(options.embeddedDir), { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const lite = await PGlite.create(options.embeddedDir, {
    // int8 as numbers, like the pg parser above.
    parsers: { 20: (v: string) => Number.parseInt(v, 10) },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(lite) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}

export async function migrateToLatest<T>(db: Kysely<T>): Promise<MigrationResultSet> {
  // Work lands from parallel branches: a migration may arrive after one that sorts later has run.
  // Each is independent of the others' order within a day, so it is applied, never refused.
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    allowUnorderedMigrations: true,
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const reason = result.error instanceof Error ? result.error.message : JSON.stringify(result.error);
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`, { cause: result.error });
  }
  return result;
}
