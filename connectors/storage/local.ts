// Storage in a local directory (STORAGE_DIR, by default DATA_DIR/files):
//
//   <root>/tmp/<key>.part      while a file arrives
//   <root>/<k0k1>/<key>        once complete (two hex characters of fan-out)
//
// Keys are 128 random bits in hex, checked on every call: no key can name a path outside the
// root. Server and worker must see the same directory (one machine, or a shared volume).
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isInspected, type InspectedFile } from '../../server/inspection/index.js';
import { StoredObjectNotFoundError } from './errors.js';
import type { Storage, StoredObject } from './index.js';

const KEY = /^[0-9a-f]{32}$/;

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new RangeError('invalid storage key');
  return key;
}

export interface LocalStorage extends Storage {
  readonly root: string;
}

export function createLocalStorage(root: string): LocalStorage {
  const base = path.resolve(root);
  const tmpDir = path.join(base, 'tmp');
  const finalPath = (key: string) => path.join(base, key.slice(0, 2), key);
  let ready: Promise<void> | undefined;
  const ensureTmp = () => (ready ??= mkdir(tmpDir, { recursive: true, mode: 0o700 }).then(() => undefined));

  return {
    root: base,

    async put(file: InspectedFile): Promise<StoredObject> {
      if (!isInspected(file)) throw new TypeError('only an inspected file can be stored (server/inspection)');
      await ensureTmp();
      const key = randomBytes(16).toString('hex');
      const tmp = path.join(tmpDir, `${key}.part`);
      const bytes = file.bytes;
      const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
      try {
        await pipeline(Readable.from([bytes]), out);
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
      return { key, sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length };
    },

    async get(key: string): Promise<Readable> {
      try {
        // Opened here, so that a missing file fails before anything is sent.
        const handle = await open(finalPath(checkKey(key)), 'r');
        return handle.createReadStream();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StoredObjectNotFoundError(key);
        throw err;
      }
    },

    async delete(key: string): Promise<void> {
      await rm(finalPath(checkKey(key)), { force: true });
    },
  };
}
