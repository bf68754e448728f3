// Opaque cursors of the integration API's lists: base64url of a small JSON position. A cursor
// that does not decode into the list's position is the caller's error (400), never a 500.
import { Buffer } from 'node:buffer';

export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

function decode(cursor: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id-ordered list's cursor: the last id seen. */
export function decodeIdCursor(cursor: string): string | undefined {
  const value = decode(cursor);
  return typeof value?.id === 'string' && UUID.test(value.id) ? value.id : undefined;
}

/** The change feed's cursor: the writing transaction and the position within the feed. */
export function decodeChangeCursor(cursor: string): { txid: string; position: number } | undefined {
  const value = decode(cursor);
  const txid = value?.t;
  const position = value?.p;
  if (typeof txid !== 'string' || !/^\d{1,19}$/.test(txid)) return undefined;
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) return undefined;
  return { txid, position };
}
