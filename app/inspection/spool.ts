// Spool files: an incoming file is streamed to a private file on local disk while it is counted
// and hashed, so that no process holds a whole deposit in memory (bench/upload: 20 concurrent
// 10 MB deposits). The inspection thread then reads the file itself (index.ts inspectSpooled),
// and the storage gets a read stream of it. Its owner removes it (`dispose`, in a `finally`)
// whatever happens: stored, refused, or the client gone half way.
//
// Where: one directory per process, made on first use under the OS temp dir (mkdtemp: mode 0700,
// a random name), each spool file named by 128 random bits and created exclusively, mode 0600.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, rmdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Spool {
  readonly path: string;
  /** Bytes kept: at most the limit and one byte (one byte over is enough to refuse). */
  readonly sizeBytes: number;
  /** Hex SHA-256 of the bytes kept. */
  readonly sha256: string;
  /** A new stream of the bytes kept. */
  open(): Readable;
  /** Removes the file (never throws; removing twice is harmless). */
  dispose(): Promise<void>;
}

let directory: Promise<string> | undefined;

/** This process's spool directory (made on first use). */
export function spoolDirectory(): Promise<string> {
  directory ??= mkdtemp(path.join(os.tmpdir(), 'guichet-spool-')).catch((err: unknown) => {
    directory = undefined;
    throw err;
  });
  return directory;
}

/**
 * Removes this process's spool directory if it is empty (on shutdown; one still in use is kept,
 * and a new one is made on the next upload).
 */
export async function removeSpoolDirectory(): Promise<void> {
  const current = directory;
  directory = undefined;
  const dir = await current?.catch(() => undefined);
  if (dir) await rmdir(dir).catch(() => undefined);
}

/**
 * Writes `stream` to a new spool file, at most `maxBytes` + 1 bytes; the rest is read and dropped
 * (the stream is always read to its end, as busboy needs). If the stream fails (a client that
 * disconnects), the file is removed and the error thrown.
 */
export async function spoolStream(stream: Readable, maxBytes: number): Promise<Spool> {
  const dir = await spoolDirectory();
  const file = path.join(dir, randomBytes(16).toString('hex'));
  const hash = createHash('sha256');
  let size = 0;
  const out = createWriteStream(file, { flags: 'wx', mode: 0o600 });
  const dispose = () => rm(file, { force: true }).catch(() => undefined);
  try {
    await pipeline(
      stream,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          if (size > maxBytes) continue;
          const room = maxBytes + 1 - size;
          const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
          size += kept.length;
          hash.update(kept);
          yield kept;
        }
      },
      out,
    );
  } catch (err) {
    // A write stream destroyed before its file was opened still creates it, then closes.
    if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
    await dispose();
    throw err;
  }
  return {
    path: file,
    sizeBytes: size,
    sha256: hash.digest('hex'),
    open: () => createReadStream(file),
    dispose,
  };
}
