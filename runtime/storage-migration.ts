// Moves an existing local store of deposited files (STORAGE_DIR) into the bucket of STORAGE_URL,
// for `npm run storage:migrate` (scripts/migrate-storage.ts). Each object keeps its key, so the
// database's references stay right.
//
// - Resumable: an object already in the bucket with the same size and SHA-256 is skipped, so a
//   run stopped half way (or run twice) only copies what is missing or different.
// - Verified: the SHA-256 of each local file is computed first; the bucket checks it on write
//   (see connectors/storage/s3.ts), and the object is read back (its size and SHA-256) afterwards.
// - Never deletes or changes the local copy: removing it is the operator's decision, once
//   Guichet runs on the bucket.
import { createHash } from 'node:crypto';
import {
  isStoredObjectNotFound,
  type LocalStorage,
  type S3Storage,
  type StorableFile,
  type StoredObjectInfo,
} from '../connectors/storage/index.js';

export interface MigrationCounts {
  /** Objects found in the local store. */
  found: number;
  /** Copied into the bucket (missing there, or different). */
  copied: number;
  /** Already in the bucket with the same size and SHA-256. */
  skipped: number;
  /** Could not be copied or verified (see `failures`). */
  failed: number;
  /** Bytes copied. */
  bytes: number;
  failures: Array<{ key: string; reason: string }>;
}

export interface MigrationOptions {
  source: LocalStorage<StorableFile>;
  target: S3Storage<StorableFile>;
  /** Objects copied at once (default 4). */
  concurrency?: number;
  /** Copy nothing: only count what would be copied. */
  dryRun?: boolean;
  /** Called after each object. */
  onObject?: (key: string, outcome: 'copied' | 'skipped' | 'failed', counts: MigrationCounts) => void;
}

async function localDigest(source: LocalStorage<StorableFile>, key: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of await source.get(key)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

async function statOrNothing(target: S3Storage<StorableFile>, key: string): Promise<StoredObjectInfo | undefined> {
  try {
    return await target.stat(key);
  } catch (err) {
    if (isStoredObjectNotFound(err)) return undefined;
    throw err;
  }
}

export async function migrateStorage(options: MigrationOptions): Promise<MigrationCounts> {
  const { source, target } = options;
  const counts: MigrationCounts = { found: 0, copied: 0, skipped: 0, failed: 0, bytes: 0, failures: [] };

  async function one(key: string): Promise<'copied' | 'skipped' | 'failed'> {
    try {
      const local = await localDigest(source, key);
      const there = await statOrNothing(target, key);
      if (there && there.sizeBytes === local.size && there.sha256 === local.sha256) return 'skipped';
      if (options.dryRun) return 'copied';
      await target.putAt(key, await source.get(key), local.size, local.sha256);
      const copied = await target.stat(key);
      if (copied.sizeBytes !== local.size || copied.sha256 !== local.sha256)
        throw new Error('the object read back differs from the local file');
      counts.bytes += local.size;
      return 'copied';
    } catch (err) {
      counts.failures.push({ key, reason: err instanceof Error ? err.message : String(err) });
      return 'failed';
    }
  }

  const keys = source.keys()[Symbol.asyncIterator]();
  let exhausted = false;
  const next = async (): Promise<string | undefined> => {
    if (exhausted) return undefined;
    const item = await keys.next();
    if (item.done) exhausted = true;
    return item.done ? undefined : item.value;
  };
  const lane = async () => {
    for (let key = await next(); key !== undefined; key = await next()) {
      counts.found += 1;
      const outcome = await one(key);
      counts[outcome] += 1;
      options.onObject?.(key, outcome, counts);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, lane));
  return counts;
}
