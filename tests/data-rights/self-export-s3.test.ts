// A client's own export on S3 storage (a real SeaweedFS, signed requests): the archive is built
// from files kept in the bucket, streamed into it (larger than one part: the multipart upload, its
// checksum checked) under a random key, read back whole and checked file by file, then deleted at
// expiry with its row.
import { createHash, randomBytes } from 'node:crypto';
import JSZip from 'jszip';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSelfExport, expireSelfExport } from '../../app/data-rights/self-export.js';
import { createS3FileStorage, type Storable } from '../../app/file-storage.js';
import { PART_SIZE, isStoredObjectNotFound, type S3Storage } from '../../connectors/storage/index.js';
import { addClientFile } from '../../db/clients.js';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { insertSelfExport } from '../../db/self-exports.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { startSeaweedfs, type RunningSeaweedfs } from '../helpers/seaweedfs.js';

let s3: RunningSeaweedfs;
let storage: S3Storage<Storable>;
let database: OpenDatabase;

beforeAll(async () => {
  s3 = await startSeaweedfs();
  storage = createS3FileStorage(s3.storageUrl, { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  database = await openDatabase({ url: inject('databaseUrl') });
});

afterAll(async () => {
  storage?.close();
  await s3?.stop();
  await database?.close();
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('a client’s own export on S3', () => {
  it('streams the archive into the bucket under a random key, whole, and deletes it at expiry', async () => {
    const db = database.db;
    const space = await createSpace(db, 'S3');
    const { account } = await createClient(db, { space, name: 'Basile Seau' });
    const { account: colleague } = await createStaff(db, { spaces: [space.id] });
    // Random bytes do not compress: the archive is larger than one part.
    const bytes = randomBytes(PART_SIZE + 512 * 1024);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const key = randomBytes(16).toString('hex');
    await storage.putAt(key, Readable.from([bytes]), bytes.length, sha256);
    await addClientFile(db, {
      clientId: account.id,
      fileName: 'plan.bin',
      contentType: 'application/octet-stream',
      sizeBytes: bytes.length,
      sha256,
      storageKey: key,
      uploadedBy: colleague.id,
    });
    const row = await insertSelfExport(db, account.id, null);

    const built = await buildSelfExport(db, storage, row.id, account.id);
    expect(built.outcome).toBe('ready');
    const ready = await db.selectFrom('self_exports').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(ready.storage_key).toMatch(/^[0-9a-f]{32}$/);
    expect(ready.size_bytes).toBeGreaterThan(PART_SIZE);
    const info = await storage.stat(ready.storage_key!);
    expect(info).toEqual({ sizeBytes: ready.size_bytes, sha256: ready.sha256 });

    const archive = await readAll(await storage.get(ready.storage_key!));
    expect(createHash('sha256').update(archive).digest('hex')).toBe(ready.sha256);
    const zip = await JSZip.loadAsync(archive);
    const data = JSON.parse(await zip.file('data.json')!.async('string')) as {
      account: { id: string };
      files: Array<{ fileName: string; path: string }>;
    };
    expect(data.account.id).toBe(account.id);
    expect(data.files.map((f) => f.fileName)).toEqual(['plan.bin']);
    expect((await zip.file(data.files[0]!.path)!.async('nodebuffer')).equals(bytes)).toBe(true);

    // Built again (a retried activity): the same archive, nothing new stored.
    expect(await buildSelfExport(db, storage, row.id, account.id)).toEqual(built);

    expect(await expireSelfExport(db, storage, row.id)).toBe(true);
    await expect(storage.stat(ready.storage_key!)).rejects.toSatisfy(isStoredObjectNotFound);
    expect(await db.selectFrom('self_exports').select('id').where('id', '=', row.id).execute()).toEqual([]);
    // The person's own file stays.
    expect((await storage.stat(key)).sizeBytes).toBe(bytes.length);
  });
});
