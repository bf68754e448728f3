// The inspection thread (piscina): loads the TypeScript rules through tsx's loader, which the
// thread lacks under vitest and already has under `tsx` (registering again is harmless).
import { register } from 'tsx/esm/api';

register();
const { judgeBytes } = await import('./rules.ts');

/** @param {{ bytes: Uint8Array, kind: import('../../domain/files.ts').FileKind }} task */
export default function inspect({ bytes, kind }) {
  return judgeBytes(bytes, kind);
}
