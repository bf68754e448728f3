// An in-memory PostgreSQL for unit tests: PGlite (PostgreSQL compiled to WebAssembly, in the test
// process, no service), migrated to the latest schema through the same Kysely dialect and
// migrations Guichet uses for its embedded database. One per test file.
//
// Creating a PGlite runs initdb, which is slow (15 s on a loaded 2-core machine); loading a data
// directory is not (about 3 s). So the migrated data directory is kept as a tarball in the system's
// temporary directory, named after the migrations and the PGlite version: the first run builds
// it, the next ones only load it, and a new migration gives a new name.
import { PGlite } from '@electric-sql/pglite';
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely } from 'kysely';
import { migrateToLatest, type Db } from '../../../db/connect.js';
import type { Database } from '../../../db/database.js';
import { PGliteDialect } from '../../../db/pglite-dialect.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

// int8 as numbers, as db/connect.ts opens the embedded database.
const parsers = { 20: (v: string) => Number.parseInt(v, 10) };

export interface MemoryDb {
  db: Db;
  close(): Promise<void>;
}

async function schemaKey(): Promise<string> {
  const hash = createHash('sha256');
  const pglite = JSON.parse(
    await readFile(path.join(PROJECT_ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
  ) as { version: string };
  hash.update(pglite.version);
  const dir = path.join(PROJECT_ROOT, 'db/migrations');
  for (const name of (await readdir(dir)).sort()) hash.update(name).update(await readFile(path.join(dir, name)));
  return hash.digest('hex').slice(0, 16);
}

async function migratedDataDir(): Promise<Blob | undefined> {
  const file = path.join(os.tmpdir(), `guichet-unit-pglite-${await schemaKey()}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const lite = await PGlite.create({ parsers });
    const db = new Kysely<Database>({ dialect: new PGliteDialect(lite) });
    await migrateToLatest(db);
    const dump = await lite.dumpDataDir('none');
    await db.destroy();
    // Written whole then renamed: another test file never reads half a tarball.
    const partial = `${file}.${randomUUID()}`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file);
    return dump;
  }
}

/** A fresh, migrated, empty database in memory. */
export async function openMemoryDb(): Promise<MemoryDb> {
  const lite = await PGlite.create({ parsers, loadDataDir: await migratedDataDir() });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(lite) });
  // Migrations already applied: this only checks (and applies one added since, if any).
  await migrateToLatest(db);
  return { db, close: () => db.destroy() };
}
