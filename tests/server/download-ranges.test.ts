// Guichet running on an S3 bucket (a real SeaweedFS): a client's attachment goes into the bucket
// and comes back byte for byte, and downloads answer byte ranges (server/downloads.ts): 206 with
// Content-Range, 416 past the end, the whole file for what is not honoured; each is audited.
import { readdir } from 'node:fs/promises';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/connect.js';
import type { Space } from '../../db/database.js';
import type { RunningSystem } from '../../runtime/system.js';
import { parseRange } from '../../server/downloads.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';
import { genuinePdf } from '../helpers/documents.js';
import { startSeaweedfs, type RunningSeaweedfs } from '../helpers/seaweedfs.js';

let s3: RunningSeaweedfs;
let system: RunningSystem & { url: string };
let db: Db;
let space: Space;

beforeAll(async () => {
  s3 = await startSeaweedfs({ bucket: 'guichet-downloads' });
  system = await startTestSystem(s3.env);
  db = system.database.db;
  space = await createSpace(db);
});
afterAll(async () => {
  await system?.stop();
  await s3?.stop();
});

async function bucketKeys(): Promise<string[]> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    return (listed.Contents ?? []).map((o) => o.Key!);
  } finally {
    client.destroy();
  }
}

describe('attachments in a bucket, downloaded whole or by ranges', () => {
  it('stores the file in the bucket, not on disk, and serves it whole and by ranges', async () => {
    const { account, password } = await createClient(db, { space });
    const browser = new Browser(system.app!);
    expect((await browser.login(account.email, password)).statusCode).toBe(303);
    const avis = genuinePdf(60_000);
    const created = await browser.postMultipart(
      '/conversations',
      { spaceId: space.id, subject: 'Mes justificatifs', body: 'Voici.', cc: '' },
      [{ filename: 'avis.pdf', content: avis, contentType: 'application/pdf' }],
      { formUrl: '/conversations/nouvelle' },
    );
    expect(created.statusCode).toBe(303);
    const conversationId = /\/conversations\/([0-9a-f-]{36})/.exec(String(created.headers.location))![1]!;
    const row = await db
      .selectFrom('attachments')
      .innerJoin('messages', 'messages.id', 'attachments.message_id')
      .selectAll('attachments')
      .where('messages.conversation_id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(await bucketKeys()).toContain(row.storage_key);
    expect(await readdir(system.config.storageDir).catch(() => [])).toEqual([]);

    const thread = await browser.get(`/conversations/${conversationId}`);
    const link = new RegExp(`href="(/conversations/${conversationId}/pieces-jointes/[0-9a-f-]{36})"`).exec(
      thread.body,
    )![1]!;
    const audited = async () =>
      (
        await db
          .selectFrom('audit_log')
          .select('id')
          .where('action', '=', 'attachment.download')
          .where('actor_account_id', '=', account.id)
          .execute()
      ).length;

    const whole = await browser.get(link);
    expect(whole.statusCode).toBe(200);
    expect(whole.rawPayload.equals(avis)).toBe(true);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.headers['content-length']).toBe(String(avis.length));

    const part = await browser.get(link, { range: 'bytes=100-199' });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${avis.length}`);
    expect(part.headers['content-length']).toBe('100');
    expect(part.headers['content-disposition']).toMatch(/^attachment/);
    expect(part.rawPayload.equals(avis.subarray(100, 200))).toBe(true);

    const tail = await browser.get(link, { range: 'bytes=-500' });
    expect(tail.statusCode).toBe(206);
    expect(tail.rawPayload.equals(avis.subarray(avis.length - 500))).toBe(true);
    const rest = await browser.get(link, { range: `bytes=${avis.length - 10}-` });
    expect(rest.rawPayload.equals(avis.subarray(avis.length - 10))).toBe(true);

    const past = await browser.get(link, { range: `bytes=${avis.length}-` });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${avis.length}`);
    expect(past.rawPayload.length).toBe(0);

    // Not honoured, so the whole file: several ranges, another unit, a conditional range.
    for (const headers of <Array<Record<string, string>>>[
      { range: 'bytes=0-1,5-6' },
      { range: 'items=0-1' },
      { range: 'bytes=0-9', 'if-range': '"x"' },
    ]) {
      const answer = await browser.get(link, headers);
      expect(answer.statusCode).toBe(200);
      expect(answer.rawPayload.equals(avis)).toBe(true);
    }
    // Every answer that sent bytes is in the audit log; the 416 sent none.
    expect(await audited()).toBe(7);

    // Someone else's attachment stays not found, range or not.
    const other = await createClient(db, { space });
    const intruder = new Browser(system.app!);
    await intruder.login(other.account.email, other.password);
    expect((await intruder.get(link, { range: 'bytes=0-9' })).statusCode).toBe(404);
  });
});

describe('reading a Range header', () => {
  it('takes one range, clamps its end, and ignores what it does not honour', () => {
    expect(parseRange(undefined, 100)).toBeUndefined();
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=90-1000', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    for (const ignored of [
      'bytes=5-4',
      'bytes=-',
      'bytes=0-1,3-4',
      'pages=1-2',
      'bytes=a-b',
      `bytes=${'9'.repeat(20)}-`,
    ])
      expect(parseRange(ignored, 100)).toBeUndefined();
  });
});
