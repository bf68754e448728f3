// Storage in an S3-compatible bucket (STORAGE_URL=s3://bucket?endpoint=…&region=…): AWS S3,
// SeaweedFS, Ceph, Garage… through @aws-sdk/client-s3 and @aws-sdk/lib-storage.
//
// - Objects are named by the same random keys as on local disk (32 hex characters), so a store
//   moved from disk to a bucket (scripts/migrate-storage.ts) keeps every database reference.
// - Writes are checked: an object up to one part (5 MB) is sent in one PUT carrying the SHA-256
//   of the bytes (`x-amz-checksum-sha256`), which the server verifies before it keeps anything;
//   a larger one goes in 5 MB parts (multipart upload, parts sent as they come, a few at a time),
//   each part with its own SHA-256 that the server verifies, and the checksum of the whole upload
//   the server answers is compared with the one computed here. A mismatch removes the object.
//   Each object also carries its hex SHA-256 as metadata (`x-amz-meta-sha256`), which `stat`
//   reads back (the migration compares it instead of reading the object).
// - S3 objects appear whole or not at all: no reader ever sees half a file.
// - Reads are streamed from the response, with HTTP ranges; deletes are idempotent.
// - Path-style requests (`forcePathStyle`) unless `forcePathStyle=false` is given with an
//   endpoint: SeaweedFS and most self-hosted servers have no per-bucket host names.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { StorageChecksumError, StorageConfigError, StorageLimitError, StoredObjectNotFoundError } from './errors.js';
import type { StorageGuard } from './local.js';
import {
  checkRange,
  checkStorageKey,
  type ByteRange,
  type StorableFile,
  type Storage,
  type StoredObject,
  type StoredObjectInfo,
} from './types.js';

/** The size of one part of a multipart upload (S3's smallest), and the largest single PUT. */
export const PART_SIZE = 5 * 1024 * 1024;
/** Parts of one upload in flight at once. */
const QUEUE_SIZE = 4;

export interface S3Location {
  bucket: string;
  /** The S3 endpoint (http(s)://host:port); none for AWS itself. */
  endpoint: string | undefined;
  region: string;
  forcePathStyle: boolean;
}

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface S3StorageOptions<F extends StorableFile> {
  /** `s3://bucket?endpoint=http://127.0.0.1:8333&region=us-east-1`. */
  url: string;
  /** None: the AWS SDK's own chain (AWS_* variables, profile, instance role). */
  credentials?: S3Credentials | undefined;
  guard: StorageGuard<F>;
  /** Time to open a connection (default 5 s). */
  connectionTimeoutMs?: number;
}

export interface S3Storage<F extends StorableFile = StorableFile> extends Storage<F> {
  readonly location: S3Location;
  /** Where the bucket is, for logs: bucket and endpoint, never a credential. */
  readonly description: string;
  /** Checks that the bucket exists and the credentials may use it; a StorageConfigError says what to fix. */
  check(): Promise<void>;
  /**
   * Writes an object under a given key (the migration's: the key the database already holds),
   * streamed from `source`, which must give `sizeBytes` bytes of SHA-256 `sha256`: the checksum
   * is checked like `put`'s, and a source that gives other bytes leaves nothing.
   */
  putAt(key: string, source: Readable, sizeBytes: number, sha256: string): Promise<StoredObject>;
  /** Closes the client's connections. */
  close(): void;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Reads STORAGE_URL; a StorageConfigError says what is wrong with it (it never holds a secret). */
export function parseStorageUrl(value: string): S3Location {
  const expected = 'expected s3://bucket?endpoint=http://host:port&region=us-east-1';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new StorageConfigError(`STORAGE_URL is not a URL: ${expected}`);
  }
  if (url.protocol !== 's3:') throw new StorageConfigError(`STORAGE_URL must start with s3:// (${expected})`);
  if (url.username || url.password)
    throw new StorageConfigError(
      'STORAGE_URL must not hold credentials: use S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY',
    );
  const bucket = url.hostname;
  if (!BUCKET.test(bucket) || bucket.includes('..'))
    throw new StorageConfigError(`STORAGE_URL: "${bucket}" is not a bucket name (3 to 63 of a-z 0-9 . -)`);
  if (url.pathname && url.pathname !== '/')
    throw new StorageConfigError(`STORAGE_URL: no path after the bucket (${expected})`);
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(endpoint);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol))
      throw new StorageConfigError(`STORAGE_URL: endpoint "${endpoint}" is not an http(s) URL`);
    if (parsed.username || parsed.password)
      throw new StorageConfigError(
        'STORAGE_URL must not hold credentials: use S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY',
      );
  }
  const region = url.searchParams.get('region') ?? 'us-east-1';
  if (!/^[a-z0-9-]{1,64}$/.test(region)) throw new StorageConfigError(`STORAGE_URL: "${region}" is not a region`);
  const pathStyle = url.searchParams.get('forcePathStyle');
  return {
    bucket,
    endpoint: endpoint?.replace(/\/$/, ''),
    region,
    forcePathStyle: pathStyle === null ? endpoint !== undefined : pathStyle !== 'false',
  };
}

const httpStatus = (err: unknown): number | undefined =>
  (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const errorName = (err: unknown): string => (err as { name?: string }).name ?? '';
const errorCode = (err: unknown): string => (err as { code?: string }).code ?? '';

const isNotFound = (err: unknown) =>
  httpStatus(err) === 404 || ['NoSuchKey', 'NotFound', 'NoSuchBucket'].includes(errorName(err));
const isBadDigest = (err: unknown) =>
  ['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch'].includes(errorName(err));

/** The SHA-256 of the whole, and of each PART_SIZE part, of bytes that pass through. */
class PartHasher extends Transform {
  readonly whole: Hash = createHash('sha256');
  readonly parts: Buffer[] = [];
  private part: Hash = createHash('sha256');
  private inPart = 0;
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return callback(new StorageLimitError(this.maxBytes));
    this.whole.update(chunk);
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(PART_SIZE - this.inPart, chunk.length - offset);
      this.part.update(chunk.subarray(offset, offset + take));
      this.inPart += take;
      offset += take;
      if (this.inPart === PART_SIZE) {
        this.parts.push(this.part.digest());
        this.part = createHash('sha256');
        this.inPart = 0;
      }
    }
    callback(null, chunk);
  }

  /** The part digests, the last (short) part included. */
  finish(): Buffer[] {
    if (this.inPart > 0) {
      this.parts.push(this.part.digest());
      this.inPart = 0;
    }
    return this.parts;
  }
}

/** S3's checksum of a multipart upload: the SHA-256 of the parts' SHA-256s, then "-<parts>". */
function compositeChecksum(partDigests: readonly Buffer[]): string {
  return `${createHash('sha256').update(Buffer.concat(partDigests)).digest('base64')}-${partDigests.length}`;
}

function partDigestsOf(bytes: Buffer): Buffer[] {
  const digests: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += PART_SIZE)
    digests.push(
      createHash('sha256')
        .update(bytes.subarray(offset, offset + PART_SIZE))
        .digest(),
    );
  return digests;
}

async function readAtMost(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      stream.destroy();
      throw new StorageLimitError(maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createS3Storage<F extends StorableFile>(options: S3StorageOptions<F>): S3Storage<F> {
  const location = parseStorageUrl(options.url);
  const { bucket } = location;
  const description = `bucket "${bucket}" at ${location.endpoint ?? `AWS S3 (${location.region})`}`;
  const client = new S3Client({
    region: location.region,
    ...(location.endpoint ? { endpoint: location.endpoint } : {}),
    forcePathStyle: location.forcePathStyle,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: options.connectionTimeoutMs ?? 5000, requestTimeout: 60_000 },
  });

  /** Removes what a failed check left, then reports the mismatch. */
  async function refuse(key: string, detail: string): Promise<never> {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    throw new StorageChecksumError(key, detail);
  }

  async function putSmall(key: string, bytes: Buffer, sha256: string): Promise<void> {
    const declared = Buffer.from(sha256, 'hex').toString('base64');
    let answered: string | undefined;
    try {
      const result = await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: 'application/octet-stream',
          ChecksumSHA256: declared,
          Metadata: { sha256 },
        }),
      );
      answered = result.ChecksumSHA256;
    } catch (err) {
      // The server compared the bytes it received with the SHA-256 sent, and kept nothing.
      if (isBadDigest(err)) throw new StorageChecksumError(key, 'the server received other bytes');
      throw err;
    }
    if (answered !== undefined && answered !== declared) await refuse(key, 'the server kept other bytes');
  }

  async function putMultipart(
    key: string,
    body: Buffer | Readable,
    sizeBytes: number,
    sha256: string,
    digests: () => { whole: string; parts: Buffer[] },
  ): Promise<void> {
    const upload = new Upload({
      client,
      params: {
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/octet-stream',
        ChecksumAlgorithm: 'SHA256',
        Metadata: { sha256 },
      },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    let answered: string | undefined;
    try {
      const result = await upload.done();
      answered = (result as { ChecksumSHA256?: string }).ChecksumSHA256;
    } catch (err) {
      if (isBadDigest(err)) throw new StorageChecksumError(key, 'the server received other bytes');
      throw err;
    }
    const computed = digests();
    // The source changed while it was read (a local file rewritten during the migration).
    if (computed.whole !== sha256) await refuse(key, 'the source changed while it was sent');
    if (answered !== undefined && answered !== compositeChecksum(computed.parts))
      await refuse(key, 'the server kept other bytes');
    if (answered === undefined) {
      // A server that does not answer checksums (each part's was still verified): the size.
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      if (head.ContentLength !== sizeBytes) await refuse(key, 'the server kept another size');
    }
  }

  async function write(key: string, body: Buffer | Readable, sizeBytes: number, sha256: string): Promise<void> {
    if (sizeBytes <= PART_SIZE) {
      const bytes = Buffer.isBuffer(body) ? body : await readAtMost(body, PART_SIZE);
      if (bytes.length !== sizeBytes)
        throw new StorageChecksumError(key, 'the source does not have the size it was said to have');
      return putSmall(key, bytes, sha256);
    }
    if (Buffer.isBuffer(body))
      return putMultipart(key, body, sizeBytes, sha256, () => ({ whole: sha256, parts: partDigestsOf(body) }));
    const hasher = new PartHasher(sizeBytes);
    body.once('error', (err) => hasher.destroy(err));
    return putMultipart(key, body.pipe(hasher), sizeBytes, sha256, () => {
      const parts = hasher.finish();
      const whole = hasher.whole.digest('hex');
      return { whole: hasher.bytes === sizeBytes ? whole : `size ${hasher.bytes}`, parts };
    });
  }

  return {
    location,
    description,

    async check(): Promise<void> {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (err) {
        const status = httpStatus(err);
        if (status === 404 || errorName(err) === 'NoSuchBucket' || errorName(err) === 'NotFound')
          throw new StorageConfigError(
            `S3 storage: the ${description} does not exist; create it, or correct STORAGE_URL`,
            { cause: err },
          );
        if (status === 401 || status === 403)
          throw new StorageConfigError(
            `S3 storage: the credentials are refused for the ${description}; check S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), and that they may use this bucket`,
            { cause: err },
          );
        if (errorName(err) === 'CredentialsProviderError')
          throw new StorageConfigError(
            `S3 storage: no credentials for the ${description}; set S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY`,
            { cause: err },
          );
        if (status === undefined)
          throw new StorageConfigError(
            `S3 storage: cannot reach ${location.endpoint ?? 'AWS S3'} for the ${description} (${errorCode(err) || errorName(err) || 'no answer'}); is the server running, and is STORAGE_URL's endpoint right?`,
            { cause: err },
          );
        throw new StorageConfigError(
          `S3 storage: the ${description} answered ${status} (${errorName(err)}) when checked`,
          { cause: err },
        );
      }
    },

    async put(file: F): Promise<StoredObject> {
      if (!options.guard.admits(file)) throw new TypeError(options.guard.refusal);
      const key = randomBytes(16).toString('hex');
      const storable: StorableFile = file;
      if ('content' in storable) {
        // Streamed: the parts' and the whole's SHA-256 are checked against the declared one.
        const { sizeBytes, sha256 } = storable.content;
        if (!/^[0-9a-f]{64}$/.test(sha256) || !Number.isSafeInteger(sizeBytes) || sizeBytes < 0)
          throw new RangeError('invalid streamed content');
        await write(key, storable.content.open(), sizeBytes, sha256);
        return { key, sha256, sizeBytes };
      }
      const bytes = storable.bytes;
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      await write(key, bytes, bytes.length, sha256);
      return { key, sha256, sizeBytes: bytes.length };
    },

    async putAt(key: string, source: Readable, sizeBytes: number, sha256: string): Promise<StoredObject> {
      try {
        checkStorageKey(key);
        if (!/^[0-9a-f]{64}$/.test(sha256)) throw new RangeError('invalid SHA-256');
        if (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0) throw new RangeError('invalid size');
      } catch (err) {
        source.destroy();
        throw err;
      }
      await write(key, source, sizeBytes, sha256);
      return { key, sha256, sizeBytes };
    },

    async get(key: string, range?: ByteRange): Promise<Readable> {
      checkStorageKey(key);
      if (range) checkRange(range);
      try {
        const result = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}),
          }),
        );
        if (!(result.Body instanceof Readable)) throw new Error('S3 storage: the answer has no body stream');
        return result.Body;
      } catch (err) {
        if (isNotFound(err)) throw new StoredObjectNotFoundError(key);
        if (httpStatus(err) === 416 || errorName(err) === 'InvalidRange')
          throw new RangeError('range starts past the end of the object');
        throw err;
      }
    },

    async stat(key: string): Promise<StoredObjectInfo> {
      checkStorageKey(key);
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        const sha256 = head.Metadata?.sha256;
        return {
          sizeBytes: head.ContentLength ?? 0,
          sha256: sha256 && /^[0-9a-f]{64}$/.test(sha256) ? sha256 : undefined,
        };
      } catch (err) {
        if (isNotFound(err)) throw new StoredObjectNotFoundError(key);
        throw err;
      }
    },

    async delete(key: string): Promise<void> {
      checkStorageKey(key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (err) {
        if (isNotFound(err) && errorName(err) !== 'NoSuchBucket') return;
        throw err;
      }
    },

    close(): void {
      client.destroy();
    },
  };
}
