// The one inspection every file goes through before it is stored or sent on (deposits, split
// pieces, message attachments, contributor deposits, client-record and case files, Vilogi
// imports, the logo): the name rule (files.ts checkName), the size rule, then the type-by-bytes
// and content rules (rules.ts), judged in a small pool of worker threads with a memory and a
// time cap so that a hostile file never blocks the event loop nor takes the process's memory.
//
// A file that arrives over the network is spooled to local disk first (spool.ts): the thread
// reads the spool file itself (its path is passed, never its bytes), and what passes is an
// InspectedSpoolFile that the storage streams from that file. The main thread never holds it.
//
// What passes is an InspectedFile (or InspectedSpoolFile): frozen, registered in a WeakSet only this module can fill.
// Storage.put takes nothing else and checks the registration at run time too, so a file that
// skipped the inspection cannot be stored, whatever a caller casts.
import { Piscina } from 'piscina';
import type { Readable } from 'node:stream';
import { CONTENT_TYPES, MAX_FILE_BYTES, checkName, type FileKind, type FileRefusal } from '../../domain/files.js';
import type { Verdict } from './rules.js';
import { removeSpoolDirectory, type Spool } from './spool.js';

export { spoolStream, spoolDirectory, type Spool } from './spool.js';

declare const inspectedBrand: unique symbol;

export interface InspectedFile {
  /** The name as shown (files.ts displayName): sanitized, never a path. */
  readonly name: string;
  readonly kind: FileKind;
  /** From the bytes, never from what the sender claimed. */
  readonly contentType: string;
  readonly bytes: Buffer;
  /** Pages of a PDF. */
  readonly pageCount?: number;
  readonly [inspectedBrand]: true;
}

/** A spooled file that passed: the storage reads it as a stream (its size and SHA-256 checked). */
export interface InspectedSpoolFile {
  readonly name: string;
  readonly kind: FileKind;
  readonly contentType: string;
  readonly content: {
    readonly sizeBytes: number;
    readonly sha256: string;
    open(): Readable;
  };
  readonly pageCount?: number;
  readonly [inspectedBrand]: true;
}

const sealed = new WeakSet<object>();

/** Whether the object came out of inspectFile (a cast or a copy does not). */
export function isInspected(file: unknown): file is InspectedFile | InspectedSpoolFile {
  return typeof file === 'object' && file !== null && sealed.has(file);
}

export interface InspectOptions {
  /** The kinds this upload takes (default: every accepted kind). */
  kinds?: readonly FileKind[];
  /** At most this many bytes (default and ceiling: MAX_FILE_BYTES). */
  maxBytes?: number;
}

/** Seconds a file's check may run; the worker is stopped after it. */
export const INSPECTION_TIMEOUT_MS = 10_000;
/** Heap of each inspection thread (pdf-lib holds a whole 10 MB PDF and its objects). */
export const INSPECTION_HEAP_MB = 384;
/** Threads: two cores on the reference machine, and the server needs one. */
const THREADS = 2;

/** The bytes themselves, or the path of a spool file the thread reads. */
type Task = { bytes: Uint8Array; kind: FileKind } | { path: string; kind: FileKind };

let pool: Piscina<Task, Verdict> | undefined;
let running = 0;
const waiting: Array<() => void> = [];

function thePool(): Piscina<Task, Verdict> {
  pool ??= new Piscina<Task, Verdict>({
    // A JavaScript file that loads the compiled rules from dist/ (`npm run build`), else the
    // TypeScript rules through tsx: vitest (sources, no loader in the worker) and `npm start`.
    filename: new URL('./worker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: THREADS,
    idleTimeout: 30_000,
    resourceLimits: { maxOldGenerationSizeMb: INSPECTION_HEAP_MB, maxYoungGenerationSizeMb: 32 },
  });
  return pool;
}

/** Runs one judgement when a thread is free, so that the time cap counts the work, not the wait. */
async function judge(task: Task, timeoutMs: number): Promise<Verdict> {
  if (running >= THREADS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await thePool().run(task, { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    // Timed out (the thread is stopped), out of memory, or crashed: the file is not accepted.
    return { ok: false, reason: 'too_complex' };
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Stops the inspection threads (a new pool starts on the next inspection). */
export async function closeInspection(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.destroy();
  await removeSpoolDirectory();
}

/** Options for tests: a shorter time cap to see a slow file refused. */
export interface InspectionTuning {
  timeoutMs?: number;
}

type Checked = { name: string; kind: FileKind } | FileRefusal;

/** The rules judged before any byte is read: the name, the kinds allowed, the size. */
function checkFirst(rawName: string, sizeBytes: number, options: InspectOptions): Checked {
  const checked = checkName(rawName);
  if ('reason' in checked) return checked;
  const { name, kind } = checked;
  if (options.kinds && !options.kinds.includes(kind))
    return { reason: 'kind_not_allowed', name, kind, allowed: options.kinds };
  const maxBytes = Math.min(options.maxBytes ?? MAX_FILE_BYTES, MAX_FILE_BYTES);
  if (sizeBytes > maxBytes) return { reason: 'too_large', name, ...(maxBytes !== MAX_FILE_BYTES ? { maxBytes } : {}) };
  if (sizeBytes === 0) return { reason: 'empty', name };
  return { name, kind };
}

function refusalOf(verdict: Verdict & { ok: false }, name: string, kind: FileKind): FileRefusal {
  return { reason: verdict.reason, name, kind, ...(verdict.pages !== undefined ? { pages: verdict.pages } : {}) };
}

/**
 * Judges one file: its name, its size, its bytes. Returns the InspectedFile to store or send on,
 * or why it is refused (its name as shown, the reason). Never throws for a hostile file.
 */
export async function inspectFile(
  rawName: string,
  bytes: Buffer,
  options: InspectOptions = {},
  tuning: InspectionTuning = {},
): Promise<InspectedFile | FileRefusal> {
  const checked = checkFirst(rawName, bytes.length, options);
  if ('reason' in checked) return checked;
  const { name, kind } = checked;
  const verdict = await judge({ bytes, kind }, tuning.timeoutMs ?? INSPECTION_TIMEOUT_MS);
  if (!verdict.ok) return refusalOf(verdict, name, kind);
  const file = Object.freeze({
    name,
    kind,
    contentType: CONTENT_TYPES[kind],
    bytes,
    ...(verdict.pageCount !== undefined ? { pageCount: verdict.pageCount } : {}),
  }) as InspectedFile;
  sealed.add(file);
  return file;
}

/**
 * The same judgement of a spooled file (spool.ts), the same verdicts and refusals: the thread
 * reads the spool file, this thread never holds its bytes. What passes streams from the spool
 * file, which must outlive the storage's write (its owner disposes of it afterwards).
 */
export async function inspectSpooled(
  rawName: string,
  spool: Spool,
  options: InspectOptions = {},
  tuning: InspectionTuning = {},
): Promise<InspectedSpoolFile | FileRefusal> {
  const checked = checkFirst(rawName, spool.sizeBytes, options);
  if ('reason' in checked) return checked;
  const { name, kind } = checked;
  const verdict = await judge({ path: spool.path, kind }, tuning.timeoutMs ?? INSPECTION_TIMEOUT_MS);
  if (!verdict.ok) return refusalOf(verdict, name, kind);
  const file = Object.freeze({
    name,
    kind,
    contentType: CONTENT_TYPES[kind],
    content: Object.freeze({ sizeBytes: spool.sizeBytes, sha256: spool.sha256, open: () => spool.open() }),
    ...(verdict.pageCount !== undefined ? { pageCount: verdict.pageCount } : {}),
  }) as InspectedSpoolFile;
  sealed.add(file);
  return file;
}

export function isRefusal(outcome: InspectedFile | InspectedSpoolFile | FileRefusal): outcome is FileRefusal {
  return 'reason' in outcome;
}

/**
 * Reads a stream into one buffer, at most `maxBytes` + 1 (one byte over is enough to refuse);
 * the rest is read and dropped. Files are held whole: the inspection judges the whole file.
 */
export async function readLimited(stream: Readable, maxBytes = MAX_FILE_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    if (size > maxBytes) continue;
    const room = maxBytes + 1 - size;
    chunks.push(buf.length > room ? buf.subarray(0, room) : buf);
    size += Math.min(buf.length, room);
  }
  return Buffer.concat(chunks, size);
}
