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

export function isStorageLimitError(err: unknown): err is StorageLimitError {
  return err instanceof StorageLimitError;
}

export function isStoredObjectNotFound(err: unknown): err is StoredObjectNotFoundError {
  return err instanceof StoredObjectNotFoundError;
}
