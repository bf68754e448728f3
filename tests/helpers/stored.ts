// Files put into a local storage directory as storage lays them out, for tests that need bytes
// which reached storage another way (an older import, a file that is not a real document): the
// application itself stores only inspected files (app/inspection).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StoredObject } from '../../connectors/storage/index.js';

export async function storeRaw(root: string, bytes: Buffer): Promise<StoredObject> {
  const key = randomBytes(16).toString('hex');
  const dir = path.join(path.resolve(root), key.slice(0, 2));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(path.join(dir, key), bytes, { mode: 0o600 });
  return { key, sha256: createHash('sha256').update(bytes).digest('hex'), sizeBytes: bytes.length };
}

export { inspectFile } from '../../app/inspection/index.js';
