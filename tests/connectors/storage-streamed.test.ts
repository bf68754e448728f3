// Both storages take streamed content (a spool file: app/inspection/spool.ts) of a declared size
// and SHA-256: what they keep is the bytes streamed, and a source that does not match what it
// was said to be (another size, other bytes) is refused with a StorageChecksumError, leaving
// nothing behind. Local disk in a temporary directory; S3 on a real SeaweedFS.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PART_SIZE,
  StorageChecksumError,
  createLocalStorage,
  createS3Storage,
  type StorableFile,
  type Storage,
} from '../../connectors/storage/index.js';
import { startSeaweedfs, type RunningSeaweedfs } from '../helpers/seaweedfs.js';
import { readAll } from './storage-contract.js';

const guard = {
  admits: (f: unknown): f is StorableFile => typeof f === 'object' && f !== null,
  refusal: 'no',
};
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Content that streams `bytes` in 64 KiB chunks but declares `sizeBytes` and `sha256`. */
function streamed(bytes: Buffer, sizeBytes = bytes.length, sha256 = sha(bytes)): StorableFile {
  return {
    content: {
      sizeBytes,
      sha256,
      open: () =>
        Readable.from(
          (function* () {
            for (let at = 0; at < bytes.length; at += 65_536) yield bytes.subarray(at, at + 65_536);
          })(),
        ),
    },
  };
}

let root: string;
let s3: RunningSeaweedfs;
let raw: S3Client;
const storages: Array<[string, () => Storage, () => Promise<number>]> = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'guichet-streamed-'));
  const local = createLocalStorage(root, guard);
  s3 = await startSeaweedfs();
  const bucket = createS3Storage({
    url: s3.storageUrl,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    guard,
  });
  raw = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  storages.push(
    [
      'local disk',
      () => local,
      async () => (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length,
    ],
    ['S3', () => bucket, async () => (await raw.send(new ListObjectsV2Command({ Bucket: s3.bucket }))).KeyCount ?? 0],
  );
});

afterAll(async () => {
  raw?.destroy();
  await s3?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe.each(['local disk', 'S3'])('streamed content into %s', (name) => {
  const pick = () => storages.find(([n]) => n === name)!;

  it('keeps the bytes streamed, small and in several parts', async () => {
    const [, storage] = pick();
    for (const bytes of [randomBytes(1000), randomBytes(PART_SIZE * 2 + 12_345)]) {
      const stored = await storage().put(streamed(bytes));
      expect(stored).toMatchObject({ sha256: sha(bytes), sizeBytes: bytes.length });
      // Compared by checksum: a deep equality of 10 MB is slow.
      expect(sha(await readAll(await storage().get(stored.key)))).toBe(sha(bytes));
      await storage().delete(stored.key);
    }
  });

  it('refuses a source of another size or other bytes, and keeps nothing', async () => {
    const [, storage, count] = pick();
    const before = await count();
    const bytes = randomBytes(PART_SIZE + 4096);
    const small = randomBytes(2000);
    for (const file of [
      streamed(bytes, bytes.length + 1),
      streamed(bytes, bytes.length, sha(randomBytes(16))),
      streamed(small, small.length - 1),
    ])
      await expect(storage().put(file)).rejects.toBeInstanceOf(StorageChecksumError);
    expect(await count()).toBe(before);
  });
});
