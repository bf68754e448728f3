// `npm run storage:migrate` (scripts/migrate-storage.ts, runtime/storage-migration.ts): a local
// store copied into a real S3 bucket (SeaweedFS), resumable, verified by checksum, the local copy
// left as it is; and the command itself, as an operator runs it.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  createLocalStorage,
  createS3Storage,
  type LocalStorage,
  type S3Storage,
} from '../../connectors/storage/index.js';
import { migrateStorage } from '../../runtime/storage-migration.js';
import { PROJECT_ROOT } from '../../runtime/temporal-dev-server.js';
import { startSeaweedfs, type RunningSeaweedfs } from '../helpers/seaweedfs.js';
import { readAll } from './storage-contract.js';

type Bytes = { bytes: Buffer };
const guard = { admits: (f: unknown): f is Bytes => typeof f === 'object' && f !== null, refusal: 'no' };
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const run = promisify(execFile);

let s3: RunningSeaweedfs;
let source: LocalStorage<Bytes>;
let target: S3Storage<Bytes>;
let raw: S3Client;
const contents = new Map<string, Buffer>();

async function localFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
}

beforeAll(async () => {
  s3 = await startSeaweedfs({ bucket: 'guichet-migrate' });
  source = createLocalStorage(await mkdtemp(path.join(os.tmpdir(), 'guichet-migrate-')), guard);
  target = createS3Storage({
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
  for (const size of [0, 1_000, 300_000, 7 * 1024 * 1024]) {
    const bytes = randomBytes(size);
    contents.set((await source.put({ bytes })).key, bytes);
  }
});

afterAll(async () => {
  target?.close();
  raw?.destroy();
  await s3?.stop();
});

describe('moving a local store into a bucket', () => {
  it('copies every object under its key, verified, and leaves the local copy', async () => {
    const before = await localFiles(source.root);
    const counts = await migrateStorage({ source, target });
    expect(counts).toMatchObject({ found: 4, copied: 4, skipped: 0, failed: 0, failures: [] });
    expect(counts.bytes).toBe([...contents.values()].reduce((n, b) => n + b.length, 0));
    for (const [key, bytes] of contents) {
      expect(await target.stat(key)).toEqual({ sizeBytes: bytes.length, sha256: sha(bytes) });
      expect((await readAll(await target.get(key))).equals(bytes)).toBe(true);
    }
    expect(await localFiles(source.root)).toEqual(before);
  });

  it('resumes: what is already there with the same checksum is skipped, what differs or is missing is copied', async () => {
    expect(await migrateStorage({ source, target })).toMatchObject({ found: 4, copied: 0, skipped: 4, failed: 0 });

    const [changed, missing] = [...contents.keys()].filter((k) => contents.get(k)!.length > 0);
    // Another object under one key (a copy interrupted by hand, a bucket written by someone else)…
    await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: changed!, Body: Buffer.from('not the file') }));
    // …and one object gone.
    await target.delete(missing!);
    expect(await migrateStorage({ source, target, dryRun: true })).toMatchObject({ copied: 2, skipped: 2 });
    expect(await migrateStorage({ source, target, concurrency: 1 })).toMatchObject({
      found: 4,
      copied: 2,
      skipped: 2,
      failed: 0,
    });
    for (const key of [changed!, missing!])
      expect((await readAll(await target.get(key))).equals(contents.get(key)!)).toBe(true);
  });

  it('runs as `npm run storage:migrate` with Guichet’s configuration, and says what is wrong', async () => {
    const env = { ...process.env, ...s3.env, STORAGE_DIR: source.root };
    const script = path.join(PROJECT_ROOT, 'scripts/migrate-storage.ts');
    const ok = await run(process.execPath, ['--import', 'tsx', script], { env, cwd: PROJECT_ROOT });
    expect(ok.stdout).toContain(`${source.root} → bucket "guichet-migrate" at ${s3.endpoint}`);
    expect(ok.stdout).toMatch(/4 found, 0 copied, 4 already there, 0 failed; 0\.0 MB in [\d.]+ s\./);
    expect(ok.stdout).not.toContain(s3.secretAccessKey);

    const failure = (extra: Record<string, string | undefined>) =>
      run(process.execPath, ['--import', 'tsx', script], { env: { ...env, ...extra }, cwd: PROJECT_ROOT }).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
      );
    const noBucket = await failure({ STORAGE_URL: `s3://no-bucket-here?endpoint=${s3.endpoint}` });
    expect(noBucket.code).toBe(2);
    expect(noBucket.stderr).toContain('the bucket "no-bucket-here"');
    const wrongSecret = randomBytes(16).toString('hex');
    const refused = await failure({ S3_SECRET_ACCESS_KEY: wrongSecret });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('credentials are refused');
    expect(refused.stderr).not.toContain(wrongSecret);
    const unset = await failure({ STORAGE_URL: '' });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('STORAGE_URL is not set');
  });
});
