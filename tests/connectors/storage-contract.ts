// What every storage implementation must do (connectors/storage/types.ts), as test cases run
// against each one: the local directory (storage.test.ts) and an S3 bucket on a real SeaweedFS
// (storage-s3.test.ts).
import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { isStoredObjectNotFound, type Storage } from '../../connectors/storage/index.js';

type Bytes = { bytes: Buffer };

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The SHA-256 and size of a stream, read as it comes (no copy of the whole kept). */
export async function digestOf(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Registers the contract's cases in the calling `describe`; `storage()` is read when they run. */
export function storageContract(storage: () => Storage<Bytes>): void {
  it('puts under a random key, gives the bytes back, states them, and deletes (twice)', async () => {
    const bytes = randomBytes(70_000);
    const stored = await storage().put({ bytes });
    expect(stored.key).toMatch(/^[0-9a-f]{32}$/);
    expect(stored).toEqual({ key: stored.key, sha256: sha(bytes), sizeBytes: bytes.length });
    expect((await readAll(await storage().get(stored.key))).equals(bytes)).toBe(true);
    const info = await storage().stat(stored.key);
    expect(info.sizeBytes).toBe(bytes.length);
    if (info.sha256 !== undefined) expect(info.sha256).toBe(sha(bytes));
    await storage().delete(stored.key);
    await storage().delete(stored.key); // already gone: no error
    await expect(storage().get(stored.key)).rejects.toSatisfy(isStoredObjectNotFound);
    await expect(storage().stat(stored.key)).rejects.toSatisfy(isStoredObjectNotFound);
  });

  it('stores an empty file', async () => {
    const stored = await storage().put({ bytes: Buffer.alloc(0) });
    expect(stored.sizeBytes).toBe(0);
    expect((await readAll(await storage().get(stored.key))).length).toBe(0);
    await storage().delete(stored.key);
  });

  it('reads ranges: both ends included, an end past the object clamped, a start past it refused', async () => {
    const bytes = randomBytes(10_000);
    const { key } = await storage().put({ bytes });
    expect((await readAll(await storage().get(key, { start: 100, end: 199 }))).equals(bytes.subarray(100, 200))).toBe(
      true,
    );
    expect((await readAll(await storage().get(key, { start: 9_990 }))).equals(bytes.subarray(9_990))).toBe(true);
    expect((await readAll(await storage().get(key, { start: 0, end: 0 }))).equals(bytes.subarray(0, 1))).toBe(true);
    expect((await readAll(await storage().get(key, { start: 9_000, end: 99_999 }))).equals(bytes.subarray(9_000))).toBe(
      true,
    );
    await expect(storage().get(key, { start: 10_000 })).rejects.toThrow(RangeError);
    await expect(storage().get(key, { start: 5, end: 4 })).rejects.toThrow(RangeError);
    await expect(storage().get(key, { start: -1 })).rejects.toThrow(RangeError);
    await storage().delete(key);
  });

  it('says when there is no such object, and deleting one is not an error', async () => {
    const key = randomBytes(16).toString('hex');
    await expect(storage().get(key)).rejects.toSatisfy(isStoredObjectNotFound);
    await expect(storage().get(key, { start: 0, end: 10 })).rejects.toSatisfy(isStoredObjectNotFound);
    await expect(storage().stat(key)).rejects.toSatisfy(isStoredObjectNotFound);
    await storage().delete(key);
  });

  it('takes only its own keys: no path or other object can be named', async () => {
    for (const key of ['../../etc/passwd', '/etc/passwd', 'ab/../../x', '', 'A'.repeat(32), `${'a'.repeat(32)}/`]) {
      await expect(storage().get(key)).rejects.toThrow(RangeError);
      await expect(storage().stat(key)).rejects.toThrow(RangeError);
      await expect(storage().delete(key)).rejects.toThrow(RangeError);
    }
  });

  it('stores 20 MB and streams it back whole', async () => {
    const bytes = randomBytes(20 * 1024 * 1024);
    const stored = await storage().put({ bytes });
    expect(stored.sizeBytes).toBe(bytes.length);
    expect(await digestOf(await storage().get(stored.key))).toEqual({ sha256: sha(bytes), size: bytes.length });
    const tail = await readAll(await storage().get(stored.key, { start: bytes.length - 1000 }));
    expect(tail.equals(bytes.subarray(bytes.length - 1000))).toBe(true);
    await storage().delete(stored.key);
  });
}
