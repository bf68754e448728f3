// The inspection thread (piscina). Built (`npm run build`), the compiled rules sit beside this
// file as rules.js and load as they are: production has no tsx. From the sources (vitest,
// `npm start`), the TypeScript rules load through tsx's loader, which the thread lacks under
// vitest and already has under `tsx` (registering again is harmless).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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

/**
 * The bytes, or the path of a spool file (app/inspection/spool.ts) read here, whole: at most one
 * file per thread is held, whatever the number of uploads waiting.
 * @param {{ bytes?: Uint8Array, path?: string, kind: import('../../domain/files.ts').FileKind }} task
 */
export default async function inspect({ bytes, path, kind }) {
  return judgeBytes(path !== undefined ? await readFile(path) : bytes, kind);
}
