// Where the files clients deposit are kept. Keys are random ids chosen here, never file names:
// what a person calls a file is only ever metadata in the database.
export type { ByteRange, StorableFile, Storage, StoredObject, StoredObjectInfo, StreamedContent } from './types.js';
export { checkStorageKey } from './types.js';
export {
  StorageChecksumError,
  StorageConfigError,
  StorageLimitError,
  StoredObjectNotFoundError,
  isStorageLimitError,
  isStoredObjectNotFound,
} from './errors.js';
export { createLocalStorage, type LocalStorage, type StorageGuard } from './local.js';
export {
  PART_SIZE,
  createS3Storage,
  parseStorageUrl,
  type S3Credentials,
  type S3Location,
  type S3Storage,
  type S3StorageOptions,
} from './s3.js';
