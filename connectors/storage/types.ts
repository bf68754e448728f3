// The storage interface, apart from its implementations.
import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  /** Hex SHA-256 of the bytes stored. */
  sha256: string;
  sizeBytes: number;
}

/** What a storage says of an object without reading it. */
export interface StoredObjectInfo {
  sizeBytes: number;
  /** Hex SHA-256 when the storage keeps it beside the object (S3 does; a local file does not). */
  sha256: string | undefined;
}

/** Bytes `start` to `end`, both included (HTTP's Range); no `end`: to the end of the object. */
export interface ByteRange {
  start: number;
  end?: number;
}

/**
 * Content read from elsewhere as a stream (a spool file on local disk), whose size and SHA-256
 * are already known: the storage checks both as the bytes pass and keeps nothing if they differ.
 */
export interface StreamedContent {
  readonly sizeBytes: number;
  /** Hex SHA-256. */
  readonly sha256: string;
  /** A new stream of the bytes, from the first (called once per write). */
  open(): Readable;
}

/**
 * What can be stored (the rest of the object is the caller's): bytes in memory, or a stream of
 * known size and checksum, so that a file need never be held whole by the process that stores it.
 */
export type StorableFile = { readonly bytes: Buffer } | { readonly content: StreamedContent };

/**
 * A store of files of type F. Guichet's is `FileStorage` (app/file-storage.ts): F is the
 * InspectedFile, and the storage is built with a guard that admits nothing else.
 * Implementations: a local directory (local.ts, the embedded default) and an S3 bucket (s3.ts).
 */
export interface Storage<F extends StorableFile = StorableFile> {
  /**
   * Writes a file into a new object, which no reader sees until it is complete, with its
   * checksum checked. A file the storage's guard does not admit (a cast, a copy) is refused at
   * run time with a TypeError. On any failure nothing is left.
   */
  put(file: F): Promise<StoredObject>;
  /**
   * The object's bytes, or those of `range` (clamped to the object's end); fails with a
   * StoredObjectNotFoundError when there is no such object, and with a RangeError for a range
   * that starts past its end.
   */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Size (and checksum when kept) of an object; StoredObjectNotFoundError when there is none. */
  stat(key: string): Promise<StoredObjectInfo>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
}

/** Storage keys: 128 random bits in hex, chosen by the storage. */
export const STORAGE_KEY = /^[0-9a-f]{32}$/;

export function checkStorageKey(key: string): string {
  if (!STORAGE_KEY.test(key)) throw new RangeError('invalid storage key');
  return key;
}

export function checkRange(range: ByteRange): ByteRange {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || start < 0 || (end !== undefined && (!Number.isSafeInteger(end) || end < start)))
    throw new RangeError('invalid byte range');
  return range;
}
