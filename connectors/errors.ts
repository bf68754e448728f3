// One typed error for every external system, so callers and Temporal decide on retries by code.
export const CONNECTOR_ERROR_CODES = [
  'unavailable',
  'timeout',
  'rate_limited',
  'unauthorized',
  'forbidden',
  'not_found',
  'invalid_request',
  'conflict',
  'unexpected',
] as const;
export type ConnectorErrorCode = (typeof CONNECTOR_ERROR_CODES)[number];

export class ConnectorError extends Error {
  override name = 'ConnectorError';
  constructor(
    readonly system: string,
    readonly code: ConnectorErrorCode,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(`${system}: ${message}`, options);
  }

  /** Brief failures worth another try; the rest are the caller's to fix. */
  get transient(): boolean {
    return this.code === 'unavailable' || this.code === 'timeout' || this.code === 'rate_limited';
  }
}
