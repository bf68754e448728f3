// PDFs of the document collection, opened with pdf-lib: a deposited PDF is opened once to count
// its pages (and refused when it cannot be read, is encrypted or is too long), and the splitting
// zone cuts one PDF into one document per category by copying pages (copyPages: the pages'
// content streams are copied as they are, never re-encoded).
import { Readable } from 'node:stream';
import { EncryptedPDFError, PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import type { Storage, StoredObject } from '../../connectors/storage/index.js';
import { MAX_FILE_BYTES, MAX_PDF_PAGES, type FileKind, type FileRefusal } from '../files.js';
import { imageStructureHolds } from './images.js';

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

/** Actions that run when the document opens, even when hidden in a compressed object stream. */
function runsCode(doc: PDFDocument): boolean {
  const catalog = doc.catalog;
  const names = catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
  if (names?.has(PDFName.of('JavaScript'))) return true;
  const action = catalog.lookup(PDFName.of('OpenAction'));
  if (action instanceof PDFDict) {
    const kind = action.lookup(PDFName.of('S'));
    if (kind === PDFName.of('JavaScript') || kind === PDFName.of('Launch')) return true;
  }
  return catalog.has(PDFName.of('AA'));
}

/** Opens a stored PDF: its page count, or why it is refused. */
export async function checkStoredPdf(storage: Storage, key: string, name: string, size?: number): Promise<{ pageCount: number } | FileRefusal> {
  return withSlot(async () => {
    const bytes = await readAll(storage, key, size);
    let pages: number;
    let doc: PDFDocument;
    try {
      doc = await load(bytes);
      pages = doc.getPageCount();
      // Every page must resolve to a page object with a size: a broken page tree is caught here.
      for (const page of doc.getPages()) page.getSize();
    } catch (err) {
      if (err instanceof EncryptedPDFError) return { reason: 'encrypted', name, kind: 'pdf' };
      return { reason: 'corrupt', name, kind: 'pdf' };
    }
    if (pages === 0) return { reason: 'corrupt', name, kind: 'pdf' };
    if (runsCode(doc)) return { reason: 'active_content', name, kind: 'pdf' };
    if (pages > MAX_PDF_PAGES) return { reason: 'too_many_pages', name, kind: 'pdf', pages };
    return { pageCount: pages };
  });
}

/** Walks a stored image's blocks (PNG, GIF, JPEG): a polyglot breaks the chain. */
export async function checkStoredImage(storage: Storage, key: string, name: string, kind: FileKind, size?: number): Promise<{ pageCount?: number } | FileRefusal> {
  if (kind !== 'png' && kind !== 'gif' && kind !== 'jpeg') return {};
  // A JPEG's segments end where its image data starts, within the first bytes; its end marker
  // was checked as the bytes passed.
  const limit = kind === 'jpeg' ? 2 * 1024 * 1024 : Infinity;
  return withSlot(async (): Promise<{ pageCount?: number } | FileRefusal> => (imageStructureHolds(kind, await readAll(storage, key, size, limit)) ? {} : { reason: 'content', name, kind }));
}

export interface CutPiece {
  /** Page numbers, from 1, in the order wanted. */
  pages: number[];
}

/** Cuts the stored PDF into one new stored PDF per piece. Nothing stays stored on failure. */
export async function cutStoredPdf(storage: Storage, key: string, pieces: readonly CutPiece[]): Promise<Array<StoredObject & { pageCount: number }>> {
  return withSlot(async () => {
    const source = await load(await readAll(storage, key));
    const stored: Array<StoredObject & { pageCount: number }> = [];
    try {
      for (const piece of pieces) {
        const out = await PDFDocument.create({ updateMetadata: false });
        const copied = await out.copyPages(source, piece.pages.map((p) => p - 1));
        for (const page of copied) out.addPage(page);
        const bytes = await out.save();
        const object = await storage.put(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), { maxBytes: MAX_FILE_BYTES });
        stored.push({ ...object, pageCount: piece.pages.length });
      }
    } catch (err) {
      await Promise.all(stored.map((s) => storage.delete(s.key)));
      throw err;
    }
    return stored;
  });
}

/**
 * Reads "1-3, 5" into page numbers (from 1, each at most once across the form). Returns
 * undefined when the text is not a list of pages within the document.
 */
export function parsePageList(text: string, pageCount: number): number[] | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const pages: number[] = [];
  for (const part of trimmed.split(/[,;\s]+/).filter((p) => p !== '')) {
    const match = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part);
    if (!match) return undefined;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from < 1 || to < from || to > pageCount) return undefined;
    for (let p = from; p <= to; p++) pages.push(p);
  }
  return pages;
}
