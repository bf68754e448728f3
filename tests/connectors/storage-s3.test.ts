// The S3 storage connector against a real S3 server (SeaweedFS, started by tests/helpers/seaweedfs.ts
// with signed requests): the storage contract local disk meets too, then what only a bucket has
// (checksums checked on write, the start-up check and its messages, Guichet starting on a bucket).
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  StorageChecksumError,
  StorageConfigError,
  createS3Storage,
  isStoredObjectNotFound,
  parseStorageUrl,
  type S3Storage,
} from '../../connectors/storage/index.js';
import { ConfigError } from '../../config.js';
import { inspectFile, isRefusal } from '../../app/inspection/index.js';
import { startSystem } from '../../runtime/system.js';
import { freePort } from '../../runtime/ports.js';
import { makePdf } from '../helpers/documents.js';
import { startSeaweedfs, type RunningSeaweedfs } from '../helpers/seaweedfs.js';
import { testConfig } from '../helpers/system.js';
import { readAll, storageContract } from './storage-contract.js';

type Bytes = { bytes: Buffer };
const guard = { admits: (f: unknown): f is Bytes => typeof f === 'object' && f !== null, refusal: 'no' };
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let s3: RunningSeaweedfs;
let storage: S3Storage<Bytes>;
let raw: S3Client;

/** Every key in the bucket: what a failed write must not leave. */
async function keysInBucket(): Promise<string[]> {
  const listed = await raw.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

beforeAll(async () => {
  s3 = await startSeaweedfs();
  storage = createS3Storage({
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
});

afterAll(async () => {
  storage?.close();
  raw?.destroy();
  await s3?.stop();
});

describe('S3 storage: the storage contract', () => {
  storageContract(() => storage);

  it('keeps the SHA-256 beside each object', async () => {
    const bytes = randomBytes(6 * 1024 * 1024 + 5);
    const stored = await storage.put({ bytes });
    expect(await storage.stat(stored.key)).toEqual({ sizeBytes: bytes.length, sha256: sha(bytes) });
    await storage.delete(stored.key);
  });

  it('refuses what its guard does not admit, storing nothing', async () => {
    const picky = createS3Storage({
      url: s3.storageUrl,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      guard: { admits: (_f: unknown): _f is Bytes => false, refusal: 'only inspected files' },
    });
    const before = await keysInBucket();
    await expect(picky.put({ bytes: Buffer.from('MZ') })).rejects.toThrow('only inspected files');
    expect(await keysInBucket()).toEqual(before);
    picky.close();
  });
});

describe('S3 storage: checksums checked on write', () => {
  it('refuses a copy whose bytes are not those announced, small or multipart, and keeps nothing', async () => {
    const before = await keysInBucket();
    for (const size of [1000, 12 * 1024 * 1024]) {
      const bytes = randomBytes(size);
      const key = randomBytes(16).toString('hex');
      const wrong = sha(Buffer.concat([bytes, Buffer.from('x')]));
      await expect(storage.putAt(key, Readable.from([bytes]), size, wrong)).rejects.toBeInstanceOf(
        StorageChecksumError,
      );
      await expect(storage.stat(key)).rejects.toSatisfy(isStoredObjectNotFound);
    }
    expect(await keysInBucket()).toEqual(before);
  });

  it('copies a stream under a given key, its checksum verified', async () => {
    const bytes = randomBytes(11 * 1024 * 1024);
    const key = randomBytes(16).toString('hex');
    const chunks = Array.from({ length: 11 }, (_, i) => bytes.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
    expect(await storage.putAt(key, Readable.from(chunks), bytes.length, sha(bytes))).toEqual({
      key,
      sha256: sha(bytes),
      sizeBytes: bytes.length,
    });
    expect((await readAll(await storage.get(key))).equals(bytes)).toBe(true);
    await storage.delete(key);
  });

  it('detects bytes corrupted on their way to the server (one byte flipped by a proxy)', async () => {
    // A proxy in front of SeaweedFS that flips one byte of every request body it forwards.
    const target = new URL(s3.endpoint);
    const proxy = http.createServer((req, res) => {
      const out = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      let flipped = false;
      req.on('data', (chunk: Buffer) => {
        if (!flipped && chunk.length > 10) {
          chunk[10] = chunk[10]! ^ 0xff;
          flipped = true;
        }
        out.write(chunk);
      });
      req.on('end', () => out.end());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as AddressInfo).port;
    const through = createS3Storage({
      url: `s3://${s3.bucket}?endpoint=http://127.0.0.1:${port}&region=${s3.region}`,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      guard,
    });
    try {
      const before = await keysInBucket();
      for (const size of [50_000, 7 * 1024 * 1024])
        await expect(through.put({ bytes: randomBytes(size) })).rejects.toBeInstanceOf(StorageChecksumError);
      expect(await keysInBucket()).toEqual(before);
    } finally {
      through.close();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});

describe('S3 storage: the start-up check', () => {
  const credentials = () => ({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });

  it('passes on the bucket with its credentials', async () => {
    const ok = createS3Storage({ url: s3.storageUrl, credentials: credentials(), guard });
    await ok.check();
    ok.close();
  });

  it('says which bucket is missing', async () => {
    const missing = createS3Storage({
      url: `s3://no-such-bucket?endpoint=${s3.endpoint}&region=${s3.region}`,
      credentials: credentials(),
      guard,
    });
    await expect(missing.check()).rejects.toThrow(
      new StorageConfigError(
        `S3 storage: the bucket "no-such-bucket" at ${s3.endpoint} does not exist; create it, or correct STORAGE_URL`,
      ),
    );
    missing.close();
  });

  it('says the credentials are refused, without printing the secret', async () => {
    const secret = randomBytes(24).toString('base64url');
    for (const wrong of [
      { accessKeyId: s3.accessKeyId, secretAccessKey: secret },
      { accessKeyId: 'NOSUCHKEY0000000', secretAccessKey: secret },
    ]) {
      const refused = createS3Storage({ url: s3.storageUrl, credentials: wrong, guard });
      const err = await refused.check().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(StorageConfigError);
      expect(err!.message).toMatch(/credentials are refused for the bucket "guichet-test"/);
      expect(err!.message).toContain('S3_SECRET_ACCESS_KEY');
      expect(err!.message).not.toContain(secret);
      refused.close();
    }
  });

  it('says the endpoint cannot be reached', async () => {
    const port = await freePort();
    const away = createS3Storage({
      url: `s3://guichet-test?endpoint=http://127.0.0.1:${port}&region=us-east-1`,
      credentials: credentials(),
      guard,
    });
    await expect(away.check()).rejects.toThrow(
      new RegExp(
        `^S3 storage: cannot reach http://127\\.0\\.0\\.1:${port} for the bucket "guichet-test".*ECONNREFUSED`,
      ),
    );
    away.close();
  });

  it('reads STORAGE_URL, and says what is wrong with a bad one', () => {
    expect(parseStorageUrl('s3://guichet?endpoint=http://127.0.0.1:8333&region=eu-west-3')).toEqual({
      bucket: 'guichet',
      endpoint: 'http://127.0.0.1:8333',
      region: 'eu-west-3',
      forcePathStyle: true,
    });
    expect(parseStorageUrl('s3://guichet-files')).toEqual({
      bucket: 'guichet-files',
      endpoint: undefined,
      region: 'us-east-1',
      forcePathStyle: false,
    });
    expect(() => parseStorageUrl('s3://key:secret@guichet')).toThrow(/must not hold credentials/);
    expect(() => parseStorageUrl('s3://guichet?endpoint=ftp://x')).toThrow(/not an http\(s\) URL/);
    expect(() => parseStorageUrl('s3://Bad_Bucket')).toThrow(/not a bucket name/);
    expect(() => parseStorageUrl('s3://guichet/sub/dir')).toThrow(/no path after the bucket/);
    expect(() => parseStorageUrl('https://guichet')).toThrow(/must start with s3:\/\//);
  });
});

describe('Guichet on a bucket', () => {
  it('stops its start with the message when the bucket is missing, and starts on the right one', async () => {
    const logger = pino({ level: 'silent' });
    const wrong = await testConfig({ ...s3.env, STORAGE_URL: `s3://missing-bucket?endpoint=${s3.endpoint}` });
    await expect(startSystem({ config: wrong, server: true, worker: false, logger })).rejects.toThrow(
      new ConfigError(
        `S3 storage: the bucket "missing-bucket" at ${s3.endpoint} does not exist; create it, or correct STORAGE_URL`,
      ),
    );

    const system = await startSystem({ config: await testConfig(s3.env), server: true, worker: false, logger });
    try {
      const content = await makePdf(1);
      const inspected = await inspectFile('releve.pdf', content);
      if (isRefusal(inspected)) throw new Error(`refused: ${inspected.reason}`);
      const stored = await system.app!.deps.storage.put(inspected);
      expect(await keysInBucket()).toContain(stored.key);
      expect((await readAll(await system.app!.deps.storage.get(stored.key))).equals(content)).toBe(true);
      await system.app!.deps.storage.delete(stored.key);
    } finally {
      await system.stop();
    }
  });
});
