// Uploads go through a private spool file (app/inspection/spool.ts): these tests check that the
// file is there while a deposit arrives (mode 0600, in a 0700 directory), that what is stored is
// the file sent (size and SHA-256), and that the spool file is gone after a stored file, a
// refused one, a storage failure and a client that disconnects half way. A small Fastify app
// with the same multipart set-up as server/app.ts and a real local storage; real sockets.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileStorage, type FileStorage } from '../../app/file-storage.js';
import { closeInspection, spoolDirectory } from '../../app/inspection/index.js';
import { MULTIPART_LIMITS, drainUnreadForm, readFormFields, receiveFiles } from '../../server/uploads.js';
import { PNG_1PX, makePdf } from '../helpers/documents.js';
import { multipartBody } from '../helpers/http.js';

let app: FastifyInstance;
let storage: FileStorage;
let storeRoot: string;
let base: string;
let spoolDir: string;
/** Set by a test: the storage's put fails (a full disk, an unreachable bucket). */
let failPut = false;

const MB = 1024 * 1024;

async function spoolFiles(): Promise<string[]> {
  return readdir(spoolDir);
}

async function storedFiles(): Promise<string[]> {
  const entries = await readdir(storeRoot, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Polls until `check` holds (the server removes its spool file after the client has gone). */
async function eventually(check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function post(body: Buffer, contentType: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/up`, { method: 'POST', headers: { 'content-type': contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  storeRoot = await mkdtemp(path.join(os.tmpdir(), 'guichet-spool-store-'));
  const real = createFileStorage(storeRoot);
  storage = {
    ...real,
    put: (file) => (failPut ? Promise.reject(new Error('storage unavailable')) : real.put(file)),
  };
  app = Fastify();
  await app.register(multipart, { limits: MULTIPART_LIMITS, throwFileSizeLimit: false, preservePath: true });
  app.addHook('onResponse', drainUnreadForm);
  app.post('/up', { preHandler: readFormFields }, async (request) => {
    const received = await receiveFiles(app, request, storage);
    return { files: received.files, refusals: received.refusals.map((r) => r.reason) };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  spoolDir = await spoolDirectory();
});

afterAll(async () => {
  await app?.close();
  await closeInspection();
  if (storeRoot) await rm(storeRoot, { recursive: true, force: true });
});

describe('the upload spool', () => {
  it('is a private directory of this process under the OS temp dir', async () => {
    expect(path.dirname(spoolDir)).toBe(os.tmpdir());
    expect((await stat(spoolDir)).mode & 0o777).toBe(0o700);
  });

  it('stores the very bytes sent (size and SHA-256), then removes the spool file', async () => {
    const pdf = await makePdf(3);
    const form = multipartBody([
      { name: 'message', value: 'bonjour' },
      { name: 'files', file: { filename: 'releve.pdf', content: pdf } },
      { name: 'files', file: { filename: 'photo.png', content: PNG_1PX } },
    ]);
    const { status, json } = await post(form.body, form.contentType);
    expect(status).toBe(200);
    expect(json.refusals).toEqual([]);
    const files = json.files as Array<{ storageKey: string; sha256: string; sizeBytes: number; pageCount?: number }>;
    expect(files.map((f) => [f.sizeBytes, f.sha256, f.pageCount])).toEqual([
      [pdf.length, createHash('sha256').update(pdf).digest('hex'), 3],
      [PNG_1PX.length, createHash('sha256').update(PNG_1PX).digest('hex'), undefined],
    ]);
    expect(await readAll(await storage.get(files[0]!.storageKey))).toEqual(pdf);
    expect(await spoolFiles()).toEqual([]);
  });

  it('removes the spool file of a refused file (content, size), and stores nothing', async () => {
    const before = (await storedFiles()).length;
    const disguised = multipartBody([{ name: 'files', file: { filename: 'photo.png', content: await makePdf(1) } }]);
    const tooLarge = multipartBody([
      {
        name: 'files',
        file: { filename: 'gros.pdf', content: Buffer.concat([await makePdf(1), Buffer.alloc(10 * MB)]) },
      },
    ]);
    expect((await post(disguised.body, disguised.contentType)).json).toEqual({ files: [], refusals: ['content'] });
    expect((await post(tooLarge.body, tooLarge.contentType)).json).toEqual({ files: [], refusals: ['too_large'] });
    expect(await spoolFiles()).toEqual([]);
    expect((await storedFiles()).length).toBe(before);
  });

  it('removes the spool file when the storage fails', async () => {
    failPut = true;
    try {
      const form = multipartBody([{ name: 'files', file: { filename: 'photo.png', content: PNG_1PX } }]);
      // receiveFiles reports any failure while reading a form as an unreadable form (400).
      expect((await post(form.body, form.contentType)).status).toBe(400);
    } finally {
      failPut = false;
    }
    expect(await spoolFiles()).toEqual([]);
  });

  it('removes the spool file of a client that disconnects half way (the file was there, 0600)', async () => {
    const before = (await storedFiles()).length;
    const form = multipartBody([
      {
        name: 'files',
        file: { filename: 'long.pdf', content: Buffer.concat([await makePdf(1), Buffer.alloc(8 * MB)]) },
      },
    ]);
    const req = http.request(`${base}/up`, {
      method: 'POST',
      headers: { 'content-type': form.contentType, 'content-length': String(form.body.length) },
    });
    req.on('error', () => undefined);
    // Half the body, then nothing: the server is spooling the file meanwhile.
    req.write(form.body.subarray(0, 4 * MB));
    await eventually(async () => (await spoolFiles()).length === 1, 'the spool file');
    const [name] = await spoolFiles();
    expect(name).toMatch(/^[0-9a-f]{32}$/);
    expect((await stat(path.join(spoolDir, name!))).mode & 0o777).toBe(0o600);
    req.destroy();
    await eventually(async () => (await spoolFiles()).length === 0, 'the spool file to be removed');
    expect((await storedFiles()).length).toBe(before);
  });

  it('removes its empty directory when the inspection closes (the server shuts down)', async () => {
    await closeInspection();
    await expect(stat(spoolDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
