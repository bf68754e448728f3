// The splitting zone cuts one deposited (so inspected) PDF into one document per category by
// copying pages (copyPages: the pages' content streams are copied as they are, never
// re-encoded). Each piece is a new file: it goes through the inspection like any other before
// it is stored. Deposited PDFs are judged by app/inspection (pages counted there).
// A use case with no HTTP in it (storage in, storage out): it lives in app/, beside the
// inspection it calls, so that the documents feature and bench/split.ts share it.
import { PDFDocument } from 'pdf-lib';
import type { Storage, StoredObject } from '../connectors/storage/index.js';
import type { FileRefusal } from '../domain/files.js';
import { inspectFile, isRefusal } from './inspection/index.js';

/** A piece of the split that the inspection refused (too complex to check, for instance). */
export class SplitPieceRefused extends Error {
  override name = 'SplitPieceRefused';
  constructor(readonly refusal: FileRefusal) {
    super(`a piece of the split was refused: ${refusal.reason}`);
  }
}

/** Opening a PDF holds it whole in memory: a few at a time, whatever the number of uploads. */
const MAX_OPEN = 2;
let open = 0;
const waiting: Array<() => void> = [];

async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (open >= MAX_OPEN) await new Promise<void>((resolve) => waiting.push(resolve));
  open++;
  try {
    return await work();
  } finally {
    open--;
    waiting.shift()?.();
  }
}

/** The stored bytes in one buffer of the known size (no list of chunks to join: half the peak). */
async function readAll(storage: Storage, key: string, size?: number, limit = Infinity): Promise<Buffer> {
  if (size === undefined) {
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.get(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  const out = Buffer.allocUnsafe(Math.min(size, limit));
  let at = 0;
  const stream = await storage.get(key);
  for await (const chunk of stream) {
    at += (chunk as Buffer).copy(out, at);
    if (at >= out.length) {
      stream.destroy();
      break;
    }
  }
  return at === out.length ? out : out.subarray(0, at);
}

async function load(bytes: Uint8Array): Promise<PDFDocument> {
  return PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true });
}

export interface CutPiece {
  /** Page numbers, from 1, in the order wanted. */
  pages: number[];
}

/** Cuts the stored PDF into one new stored PDF per piece, each inspected (a refused one throws
 * SplitPieceRefused). Nothing stays stored on failure. */
export async function cutStoredPdf(
  storage: Storage,
  key: string,
  pieces: readonly CutPiece[],
  name = 'piece.pdf',
): Promise<Array<StoredObject & { pageCount: number }>> {
  return withSlot(async () => {
    const source = await load(await readAll(storage, key));
    const stored: Array<StoredObject & { pageCount: number }> = [];
    try {
      for (const piece of pieces) {
        const out = await PDFDocument.create({ updateMetadata: false });
        const copied = await out.copyPages(
          source,
          piece.pages.map((p) => p - 1),
        );
        for (const page of copied) out.addPage(page);
        const bytes = await out.save();
        const inspected = await inspectFile(name, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        if (isRefusal(inspected)) throw new SplitPieceRefused(inspected);
        const object = await storage.put(inspected);
        stored.push({ ...object, pageCount: piece.pages.length });
      }
    } catch (err) {
      await Promise.all(stored.map((s) => storage.delete(s.key)));
      throw err;
    }
    return stored;
  });
}
