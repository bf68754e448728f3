// Where the files clients deposit are kept. Keys are random ids chosen here, never file names:
// what a person calls a file is only ever metadata in the database.
export type { StorableFile, Storage, StoredObject } from './types.js';
export { StorageLimitError, StoredObjectNotFoundError, isStorageLimitError, isStoredObjectNotFound } from './errors.js';
export { createLocalStorage, type LocalStorage, type StorageGuard } from './local.js';
