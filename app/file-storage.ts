// Guichet's file storage: the storage connector, admitting only what came out of the one
// inspection (app/inspection), and the archives Guichet builds itself from files it already keeps
// (a person's export, sealed by `builtArchive`). Server, activities and tests all store through
// this: on local disk (the embedded default) or in an S3 bucket (STORAGE_URL).
import type { Readable } from 'node:stream';
import {
  createLocalStorage,
  createS3Storage,
  type LocalStorage,
  type S3Credentials,
  type S3Storage,
  type Storage,
} from '../connectors/storage/index.js';
import { isInspected, type InspectedFile, type InspectedSpoolFile, type Spool } from './inspection/index.js';

declare const builtBrand: unique symbol;

/**
 * A zip Guichet wrote itself, from files that were inspected when they came in (a person's
 * export, app/data-rights): not a file from outside, so it does not go through the inspection
 * (which refuses archives). Streamed from its spool file, its size and SHA-256 checked.
 */
export interface BuiltArchive {
  readonly content: { readonly sizeBytes: number; readonly sha256: string; open(): Readable };
  readonly [builtBrand]: true;
}

const built = new WeakSet<object>();

/** Seals the spool file of an archive Guichet built (only app/data-rights calls this). */
export function builtArchive(spool: Spool): BuiltArchive {
  const archive = Object.freeze({
    content: Object.freeze({ sizeBytes: spool.sizeBytes, sha256: spool.sha256, open: () => spool.open() }),
  }) as BuiltArchive;
  built.add(archive);
  return archive;
}

/** What Guichet stores: inspected files in memory (split pieces, imports) or streamed from a
 * spool file (uploads), and the archives it builds. */
export type Storable = InspectedFile | InspectedSpoolFile | BuiltArchive;
export type FileStorage = Storage<Storable>;

const guard = {
  admits: (file: unknown): file is Storable =>
    isInspected(file) || (typeof file === 'object' && file !== null && built.has(file)),
  refusal: 'only an inspected file or an archive Guichet built can be stored (app/inspection)',
};

export function createFileStorage(root: string): LocalStorage<Storable> {
  return createLocalStorage(root, guard);
}

/** The same storage in a bucket: `url` is STORAGE_URL (s3://bucket?endpoint=…&region=…). */
export function createS3FileStorage(url: string, credentials: S3Credentials | undefined): S3Storage<Storable> {
  return createS3Storage({ url, credentials, guard });
}
