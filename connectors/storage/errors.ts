// Failures of a storage that callers tell apart.

/** The source gave more than `maxBytes`. */
export class StorageLimitError extends Error {
  override name = 'StorageLimitError';
  readonly tooLarge = true;
  constructor(readonly maxBytes: number) {
    super(`more than ${maxBytes} bytes: not stored`);
  }
}

export class StoredObjectNotFoundError extends Error {
  override name = 'StoredObjectNotFoundError';
  constructor(readonly key: string) {
    super(`no stored object ${key}`);
  }
}

/** What the store holds is not what was sent (a transfer or the store corrupted it): nothing is kept. */
export class StorageChecksumError extends Error {
  override name = 'StorageChecksumError';
  constructor(
    readonly key: string,
    detail: string,
  ) {
    super(`stored object ${key} failed its checksum: ${detail}`);
  }
}

/**
 * The storage cannot be used as configured (missing bucket, refused credentials, unreachable
 * endpoint, a bad STORAGE_URL): the message says what to fix and never carries a secret.
 */
export class StorageConfigError extends Error {
  override name = 'StorageConfigError';
}

export function isStorageLimitError(err: unknown): err is StorageLimitError {
  return err instanceof StorageLimitError;
}

export function isStoredObjectNotFound(err: unknown): err is StoredObjectNotFoundError {
  return err instanceof StoredObjectNotFoundError;
}
