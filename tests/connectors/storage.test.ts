// The local storage of deposited files (the connector, with the contract every storage meets, and
// Guichet's file storage that admits only inspected files), and the file rules of domain/files.ts.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage, isStoredObjectNotFound, type LocalStorage } from '../../connectors/storage/index.js';
import { createFileStorage } from '../../app/file-storage.js';
import { checkName, displayName, signatureMatches } from '../../domain/files.js';
import { inspectFile, isRefusal, type InspectedFile } from '../../app/inspection/index.js';
import { makePdf } from '../helpers/documents.js';
import { storageContract } from './storage-contract.js';

async function files(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('local storage: the storage contract', () => {
  let storage: LocalStorage<{ bytes: Buffer }>;
  beforeAll(async () => {
    storage = createLocalStorage(await mkdtemp(path.join(os.tmpdir(), 'guichet-storage-')), {
      admits: (f): f is { bytes: Buffer } => typeof f === 'object' && f !== null,
      refusal: 'no',
    });
  });
  storageContract(() => storage);

  it('lists its complete objects, not those still arriving', async () => {
    const a = await storage.put({ bytes: Buffer.from('a') });
    const b = await storage.put({ bytes: Buffer.from('b') });
    await writeFile(path.join(storage.root, 'tmp', `${'c'.repeat(32)}.part`), 'c');
    const keys: string[] = [];
    for await (const key of storage.keys()) keys.push(key);
    expect(keys.sort()).toEqual([a.key, b.key].sort());
    await storage.delete(a.key);
    await storage.delete(b.key);
  });
});

describe('local storage', () => {
  it('stores an inspected file under a random key, gives the bytes back, and deletes', async () => {
    const storage = createFileStorage(await mkdtemp(path.join(os.tmpdir(), 'guichet-storage-')));
    const content = await makePdf(3);
    const inspected = await inspectFile('releve.pdf', content);
    if (isRefusal(inspected)) throw new Error(`refused: ${inspected.reason}`);
    expect(inspected).toMatchObject({ name: 'releve.pdf', kind: 'pdf', contentType: 'application/pdf', pageCount: 3 });
    const stored = await storage.put(inspected);
    expect(stored.key).toMatch(/^[0-9a-f]{32}$/);
    expect(stored.sizeBytes).toBe(content.length);
    expect(stored.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect((await readAll(await storage.get(stored.key))).equals(content)).toBe(true);
    expect(await files(storage.root)).toEqual([path.join(stored.key.slice(0, 2), stored.key)]);
    await storage.delete(stored.key);
    await storage.delete(stored.key); // missing: no error
    await expect(storage.get(stored.key)).rejects.toSatisfy(isStoredObjectNotFound);
    expect(await files(storage.root)).toEqual([]);
  });

  it('stores nothing that did not come out of the inspection, whatever the cast', async () => {
    const storage = createFileStorage(await mkdtemp(path.join(os.tmpdir(), 'guichet-storage-')));
    const inspected = await inspectFile('releve.pdf', await makePdf(1));
    if (isRefusal(inspected)) throw new Error(`refused: ${inspected.reason}`);
    const forged = {
      name: 'x.pdf',
      kind: 'pdf',
      contentType: 'application/pdf',
      bytes: Buffer.from('MZ'),
    } as unknown as InspectedFile;
    await expect(storage.put(forged)).rejects.toThrow(TypeError);
    // A copy of a genuine one is not it either, and the genuine one cannot be changed.
    await expect(storage.put({ ...inspected })).rejects.toThrow(TypeError);
    expect(() => Object.assign(inspected, { bytes: Buffer.from('MZ') })).toThrow(TypeError);
    expect(await files(storage.root)).toEqual([]);
  });

  it('takes only its own keys: no path can be named', async () => {
    const storage = createLocalStorage(await mkdtemp(path.join(os.tmpdir(), 'guichet-storage-')), {
      admits: (f): f is { bytes: Buffer } => typeof f === 'object' && f !== null,
      refusal: 'no',
    });
    for (const key of ['../../etc/passwd', '/etc/passwd', 'ab/../../x', '', 'A'.repeat(32), `${'a'.repeat(32)}/`]) {
      await expect(storage.get(key)).rejects.toThrow(RangeError);
      await expect(storage.delete(key)).rejects.toThrow(RangeError);
    }
  });
});

describe('file rules', () => {
  it('recognises each accepted type by its first bytes', () => {
    expect(signatureMatches('pdf', Buffer.from('%PDF-1.7'))).toBe(true);
    expect(signatureMatches('pdf', Buffer.from('%PDF'))).toBe(false);
    expect(signatureMatches('png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(true);
    expect(signatureMatches('jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xdb]))).toBe(true);
    expect(signatureMatches('tiff', Buffer.from('II*\0'))).toBe(true);
    expect(signatureMatches('tiff', Buffer.from('MM\0*'))).toBe(true);
    expect(signatureMatches('tiff', Buffer.from('II\0*'))).toBe(false);
    expect(signatureMatches('bmp', Buffer.from('BM..'))).toBe(true);
    expect(signatureMatches('gif', Buffer.from('GIF87a'))).toBe(true);
    expect(signatureMatches('gif', Buffer.from('GIF89a'))).toBe(true);
    expect(signatureMatches('gif', Buffer.from('GIF88a'))).toBe(false);
  });

  it('reads the type from the extension, in any case, and refuses the rest', () => {
    expect(checkName('Scan.JPEG')).toEqual({ name: 'Scan.JPEG', kind: 'jpeg' });
    expect(checkName('a.tif')).toEqual({ name: 'a.tif', kind: 'tiff' });
    expect(checkName('facture.pdf.exe')).toEqual({ reason: 'type', name: 'facture.pdf.exe' });
    expect(checkName('.pdf')).toEqual({ name: '.pdf', kind: 'pdf' });
    expect(checkName('..')).toMatchObject({ reason: 'name' });
    expect(checkName('a/../b.pdf')).toMatchObject({ reason: 'name', name: 'b.pdf' });
    expect(checkName('\u0000\u0001')).toMatchObject({ reason: 'name' });
  });

  it('makes names displayable', () => {
    expect(displayName('/home/x/relevé.pdf')).toBe('relevé.pdf');
    expect(displayName('C:\\fakepath\\photo.jpg')).toBe('photo.jpg');
    expect(displayName('  deux   espaces\n.pdf ')).toBe('deux espaces .pdf');
    expect(displayName('e\u0301te\u0301.pdf')).toBe('été.pdf');
    const long = displayName(`${'é'.repeat(300)}.pdf`);
    expect([...long]).toHaveLength(120);
    expect(long.endsWith('….pdf')).toBe(true);
  });
});
