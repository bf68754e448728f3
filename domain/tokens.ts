import { createHash, randomBytes } from 'node:crypto';

/** A random URL-safe token (256 bits). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a token: a leak of the table hands out nothing usable. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
