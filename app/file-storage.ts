// Guichet's file storage: the storage connector, admitting only what came out of the one
// inspection (app/inspection). Server, activities and tests all store through this: on local
// disk (the embedded default) or in an S3 bucket (STORAGE_URL).
import {
  createLocalStorage,
  createS3Storage,
  type LocalStorage,
  type S3Credentials,
  type S3Storage,
  type Storage,
} from '../connectors/storage/index.js';
import { isInspected, type InspectedFile, type InspectedSpoolFile } from './inspection/index.js';

/** Files in memory (split pieces, imports) or streamed from a spool file (uploads). */
export type FileStorage = Storage<InspectedFile | InspectedSpoolFile>;

const guard = {
  admits: isInspected,
  refusal: 'only an inspected file can be stored (app/inspection)',
};

export function createFileStorage(root: string): LocalStorage<InspectedFile | InspectedSpoolFile> {
  return createLocalStorage(root, guard);
}

/** The same storage in a bucket: `url` is STORAGE_URL (s3://bucket?endpoint=…&region=…). */
export function createS3FileStorage(
  url: string,
  credentials: S3Credentials | undefined,
): S3Storage<InspectedFile | InspectedSpoolFile> {
  return createS3Storage({ url, credentials, guard });
}
