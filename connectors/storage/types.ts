// The storage interface, apart from its implementations.
import type { Readable } from 'node:stream';

export interface StoredObject {
  key: string;
  /** Hex SHA-256 of the bytes stored. */
  sha256: string;
  sizeBytes: number;
}

/** What can be stored: bytes (the rest of the object is the caller's). */
export interface StorableFile {
  readonly bytes: Buffer;
}

/**
 * A store of files of type F. Guichet's is `FileStorage` (app/file-storage.ts): F is the
 * InspectedFile, and the storage is built with a guard that admits nothing else.
 */
export interface Storage<F extends StorableFile = StorableFile> {
  /**
   * Writes a file into a new object (a temporary file renamed once complete, so a reader never
   * sees half a file). A file the storage's guard does not admit (a cast, a copy) is refused at
   * run time with a TypeError. On any failure nothing is left.
   */
  put(file: F): Promise<StoredObject>;
  /** The object's bytes; fails with a StoredObjectNotFoundError when there is no such object. */
  get(key: string): Promise<Readable>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
}
