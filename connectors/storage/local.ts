// Storage in a local directory (STORAGE_DIR, by default DATA_DIR/files):
//
//   <root>/tmp/<key>.part      while a file arrives
//   <root>/<k0k1>/<key>        once complete (two hex characters of fan-out)
//
// Keys are 128 random bits in hex, checked on every call: no key can name a path outside the
// root. Server and worker must see the same directory (one machine, or a shared volume).
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageChecksumError, StoredObjectNotFoundError } from './errors.js';
import {
  checkRange,
  checkStorageKey as checkKey,
  STORAGE_KEY,
  type ByteRange,
  type StorableFile,
  type Storage,
  type StoredObject,
  type StoredObjectInfo,
} from './types.js';

const notFound = (err: unknown, key: string): unknown =>
  (err as NodeJS.ErrnoException).code === 'ENOENT' ? new StoredObjectNotFoundError(key) : err;

export interface LocalStorage<F extends StorableFile = StorableFile> extends Storage<F> {
  readonly root: string;
  /** Every complete object's key (not those still arriving), in no particular order. */
  keys(): AsyncIterable<string>;
}

/** Which objects `put` admits, checked at run time whatever the caller's types say. */
export interface StorageGuard<F extends StorableFile> {
  admits(file: unknown): file is F;
  /** The TypeError's message for anything else. */
  refusal: string;
}

export function createLocalStorage<F extends StorableFile>(root: string, guard: StorageGuard<F>): LocalStorage<F> {
  const base = path.resolve(root);
  const tmpDir = path.join(base, 'tmp');
  const finalPath = (key: string) => path.join(base, key.slice(0, 2), key);
  let ready: Promise<void> | undefined;
  const ensureTmp = () => (ready ??= mkdir(tmpDir, { recursive: true, mode: 0o700 }).then(() => undefined));

  return {
    root: base,

    async put(file: F): Promise<StoredObject> {
      if (!guard.admits(file)) throw new TypeError(guard.refusal);
      await ensureTmp();
      const key = randomBytes(16).toString('hex');
      const tmp = path.join(tmpDir, `${key}.part`);
      const storable: StorableFile = file;
      const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
      const hash = createHash('sha256');
      let sizeBytes = 0;
      try {
        // Streamed content is hashed and counted as it is written, then checked against what
        // it was said to be: a source that changed leaves nothing.
        const source = 'content' in storable ? storable.content.open() : Readable.from([storable.bytes]);
        await pipeline(
          source,
          async function* (chunks: AsyncIterable<Buffer>) {
            for await (const chunk of chunks) {
              hash.update(chunk);
              sizeBytes += chunk.length;
              yield chunk;
            }
          },
          out,
        );
        if ('content' in storable) {
          const { content } = storable;
          if (sizeBytes !== content.sizeBytes || hash.copy().digest('hex') !== content.sha256)
            throw new StorageChecksumError(key, 'the source does not have the size or checksum it was said to have');
        }
        const target = finalPath(key);
        await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
        await rename(tmp, target);
      } catch (err) {
        // A stream destroyed before its file was even opened still creates it, then closes:
        // the file is removed once it is closed, or it would outlive the failure.
        if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
        await rm(tmp, { force: true });
        throw err;
      }
      return { key, sha256: hash.digest('hex'), sizeBytes };
    },

    async get(key: string, range?: ByteRange): Promise<Readable> {
      const file = finalPath(checkKey(key));
      if (range) checkRange(range);
      let handle;
      try {
        // Opened here, so that a missing file fails before anything is sent.
        handle = await open(file, 'r');
      } catch (err) {
        throw notFound(err, key);
      }
      if (!range) return handle.createReadStream();
      try {
        const { size } = await handle.stat();
        if (range.start >= size) throw new RangeError('range starts past the end of the object');
      } catch (err) {
        await handle.close();
        throw err;
      }
      return handle.createReadStream({ start: range.start, ...(range.end !== undefined ? { end: range.end } : {}) });
    },

    async stat(key: string): Promise<StoredObjectInfo> {
      try {
        const info = await stat(finalPath(checkKey(key)));
        return { sizeBytes: info.size, sha256: undefined };
      } catch (err) {
        throw notFound(err, key);
      }
    },

    async *keys(): AsyncIterable<string> {
      const fanOut = await readdir(base, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [];
        throw err;
      });
      for (const dir of fanOut) {
        if (!dir.isDirectory() || !/^[0-9a-f]{2}$/.test(dir.name)) continue;
        for (const entry of await readdir(path.join(base, dir.name), { withFileTypes: true }))
          if (entry.isFile() && STORAGE_KEY.test(entry.name) && entry.name.startsWith(dir.name)) yield entry.name;
      }
    },

    async delete(key: string): Promise<void> {
      await rm(finalPath(checkKey(key)), { force: true });
    },
  };
}
