// The inspection thread (piscina). Built (`npm run build`), the compiled rules sit beside this
// file as rules.js and load as they are: production has no tsx. From the sources (vitest,
// `npm start`), the TypeScript rules load through tsx's loader, which the thread lacks under
// vitest and already has under `tsx` (registering again is harmless).
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const compiled = new URL('./rules.js', import.meta.url);
let rules;
if (existsSync(fileURLToPath(compiled))) {
  rules = await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  rules = await import('./rules.ts');
}
const { judgeBytes } = rules;

// One buffer per thread, grown to the largest file seen (at most the file limit and one byte, as
// a spool file never holds more) and reused by every judgement: a thread judges one file at a
// time (piscina's default), and no verdict keeps a view of the bytes. Reading each file into a
// new buffer left tens of MB of garbage per thread between two collections.
let buffer = Buffer.alloc(0);

/** The spool file's bytes, in this thread's buffer (valid until the next judgement). */
async function readSpool(path) {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (buffer.length < size) buffer = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(buffer, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return buffer.subarray(0, at);
  } finally {
    await handle.close();
  }
}

/**
 * The bytes, or the path of a spool file (app/inspection/spool.ts) read here, whole: at most one
 * file per thread is held, whatever the number of uploads waiting.
 * @param {{ bytes?: Uint8Array, path?: string, kind: import('../../domain/files.ts').FileKind }} task
 */
export default async function inspect({ bytes, path, kind }) {
  return judgeBytes(path !== undefined ? await readSpool(path) : bytes, kind);
}
