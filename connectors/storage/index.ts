// Where the files clients deposit are kept. Keys are random ids chosen here, never file names:
// what a person calls a file is only ever metadata in the database.
import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  /** Hex SHA-256 of the bytes stored. */
  sha256: string;
  sizeBytes: number;
}

export interface PutOptions {
  /** More bytes than this: nothing is kept and `put` fails with a StorageLimitError. */
  maxBytes: number;
}

export interface Storage {
  /**
   * Streams `source` into a new object (a temporary file renamed once complete, so a reader
   * never sees half a file). On any failure nothing is left behind, and `source` is destroyed:
   * pass a stream that may be lost (a PassThrough in front of a multipart part, for instance).
   */
  put(source: Readable, options: PutOptions): Promise<StoredObject>;
  /** The object's bytes; fails with a StoredObjectNotFoundError when there is no such object. */
  get(key: string): Promise<Readable>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
}

export { StorageLimitError, StoredObjectNotFoundError, isStorageLimitError, isStoredObjectNotFound } from './errors.js';
export { createLocalStorage } from './local.js';
