// Redmine failures that callers must tell apart from the generic ConnectorError codes.
import { ConnectorError } from '../errors.js';

/** An upload above Redmine's `attachment_max_size` (5120 KB unless changed). */
export class AttachmentTooLargeError extends ConnectorError {
  override name = 'AttachmentTooLargeError';
  readonly tooLarge = true;
  constructor(
    message: string,
    /** Bytes sent. */
    readonly size: number,
    /** Redmine's limit in bytes, when its message gave it. */
    readonly maxSize: number | undefined,
    status?: number,
    options?: { cause?: unknown },
  ) {
    super('redmine', 'invalid_request', message, status, undefined, options);
  }
}

/**
 * `X-Redmine-Switch-User` not honoured. `unknown_user`: Redmine answered 412 (no active user with
 * that login). `not_admin`: the API key is not an administrator's; Redmine would have ignored the
 * header and written as the key's own user, so the call was not sent.
 */
export class SwitchUserError extends ConnectorError {
  override name = 'SwitchUserError';
  constructor(
    readonly login: string,
    readonly reason: 'unknown_user' | 'not_admin',
    status?: number,
    options?: { cause?: unknown },
  ) {
    super(
      'redmine',
      reason === 'not_admin' ? 'forbidden' : 'invalid_request',
      reason === 'not_admin'
        ? `cannot act as "${login}": the API key is not an administrator's (Redmine would ignore X-Redmine-Switch-User)`
        : `cannot act as "${login}": no active Redmine user with that login (412 on X-Redmine-Switch-User)`,
      status,
      undefined,
      options,
    );
  }
}

export function isAttachmentTooLarge(err: unknown): err is AttachmentTooLargeError {
  return err instanceof AttachmentTooLargeError;
}

export function isSwitchUserError(err: unknown): err is SwitchUserError {
  return err instanceof SwitchUserError;
}
