// Where the files clients deposit are kept. Keys are random ids chosen here, never file names:
// what a person calls a file is only ever metadata in the database.
import type { Readable } from 'node:stream';
import type { InspectedFile } from '../../server/inspection/index.js';

export interface StoredObject {
  key: string;
  /** Hex SHA-256 of the bytes stored. */
  sha256: string;
  sizeBytes: number;
}

export interface Storage {
  /**
   * Writes an inspected file into a new object (a temporary file renamed once complete, so a
   * reader never sees half a file). Only what the inspection let through can be stored: anything
   * else (a cast, a copy) is refused at run time with a TypeError. On any failure nothing is left.
   */
  put(file: InspectedFile): Promise<StoredObject>;
  /** The object's bytes; fails with a StoredObjectNotFoundError when there is no such object. */
  get(key: string): Promise<Readable>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
}

export { StorageLimitError, StoredObjectNotFoundError, isStorageLimitError, isStoredObjectNotFound } from './errors.js';
export { createLocalStorage } from './local.js';
