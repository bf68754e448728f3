// What the bytes of a file must be, judged whole: this runs in the inspection worker threads
// (worker.mjs), never on the server's event loop. Pure: bytes and a kind in, a verdict out.
//
//   1. the first bytes are those of the kind the name announces (a disguised file);
//   2. nothing a browser, a PHP interpreter or a viewer would run is inside (HTML, SVG, script,
//      PHP), and no second file rides along (a ZIP directory, bytes after the image's end);
//   3. per kind: a PDF is parsed for actions and embedded content (in every FlateDecode stream,
//      object streams included, within a budget of inflated bytes), then opened with pdf-lib; an
//      image's blocks chain up as its format says and its declared size is not a pixel bomb.
import { constants, inflateSync } from 'node:zlib';
import { EncryptedPDFError, PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { MAX_PDF_PAGES, signatureMatches, type FileKind, type RefusalReason } from '../../domain/files.js';

/** A declared image larger than this is refused: a 600 dpi A3 colour scan is 70 million pixels. */
export const MAX_PIXELS = 100_000_000;
/** Bytes the PDF's compressed streams may inflate to, all together. */
export const MAX_INFLATED_BYTES = 128 * 1024 * 1024;

export type Verdict = { ok: true; pageCount?: number } | { ok: false; reason: RefusalReason; pages?: number };

const refuse = (reason: RefusalReason, pages?: number): Verdict =>
  pages === undefined ? { ok: false, reason } : { ok: false, reason, pages };

// Markers of content a browser or an interpreter would run, searched case-insensitively
// anywhere in the bytes: an image or a PDF carrying one is a polyglot.
// A tag counts when a delimiter follows its name, which keeps random bytes of compressed data
// (where any four letters turn up now and then) from looking like one.
const ACTIVE_MARKERS = [
  '<script',
  '<html',
  '<svg',
  '<iframe',
  '<!doctype html',
  '<body',
  '<object',
  '<embed',
  '<?php',
].map((m) => Buffer.from(m, 'latin1'));
const TAG_END = new Set([0x09, 0x0a, 0x0c, 0x0d, 0x20, 0x2f, 0x3e]);
const JAVASCRIPT = Buffer.from('javascript:', 'latin1');
// A ZIP archive (a JAR, an Office file…) is read from its end: its directory's end record sits
// in the last 64 KiB plus 22 bytes of the file. A local file header anywhere is a ZIP too.
const ZIP_END = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const ZIP_LOCAL = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

/** Whether `bytes` holds `marker` (lower-case ASCII) at `at`, whatever the case of its letters. */
function startsWithFolded(bytes: Buffer, at: number, marker: Buffer): boolean {
  if (at + marker.length > bytes.length) return false;
  for (let i = 0; i < marker.length; i++) {
    const b = bytes[at + i]!;
    if ((b >= 0x41 && b <= 0x5a ? b + 0x20 : b) !== marker[i]) return false;
  }
  return true;
}

function hasActiveMarker(bytes: Buffer): boolean {
  for (let at = bytes.indexOf(0x3c); at !== -1; at = bytes.indexOf(0x3c, at + 1)) {
    if (ACTIVE_MARKERS.some((m) => startsWithFolded(bytes, at, m) && TAG_END.has(bytes[at + m.length] ?? -1)))
      return true;
  }
  for (let at = bytes.indexOf(0x3a); at !== -1; at = bytes.indexOf(0x3a, at + 1)) {
    if (at >= 10 && startsWithFolded(bytes, at - 10, JAVASCRIPT)) return true;
  }
  return false;
}

/** A ZIP local header that reads as one (version, method, name length), not four random bytes. */
function hasZip(bytes: Buffer): boolean {
  if (bytes.subarray(Math.max(0, bytes.length - 65_557)).includes(ZIP_END)) return true;
  for (let at = bytes.indexOf(ZIP_LOCAL); at !== -1; at = bytes.indexOf(ZIP_LOCAL, at + 1)) {
    if (at + 30 > bytes.length) break;
    const version = bytes.readUInt16LE(at + 4);
    const method = bytes.readUInt16LE(at + 8);
    const nameLength = bytes.readUInt16LE(at + 26);
    if (version <= 63 && [0, 8, 9, 12, 14].includes(method) && nameLength > 0 && nameLength < 1024) {
      const name = bytes.subarray(at + 30, at + 30 + nameLength);
      if (name.length === nameLength && name.every((b) => b >= 0x20 && b < 0x7f)) return true;
    }
  }
  return false;
}

/** Some writers pad a file with zeros or line ends after its end marker. */
function trimPadding(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && [0x00, 0x0a, 0x0d, 0x20].includes(bytes[end - 1] ?? -1)) end--;
  return bytes.subarray(0, end);
}

const PNG_END = Buffer.from([0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

/** The ending a genuine file of the kind has (a polyglot carries another file after it). */
function endsWell(kind: FileKind, bytes: Buffer): boolean {
  const tail = trimPadding(bytes);
  switch (kind) {
    case 'pdf':
      // The last %%EOF ends the file (incremental updates append after earlier ones).
      return tail.subarray(Math.max(0, tail.length - 1024)).includes('%%EOF');
    case 'png':
      return tail.length >= 8 && tail.subarray(tail.length - 8).equals(PNG_END);
    case 'jpeg':
      return tail.length >= 2 && tail[tail.length - 2] === 0xff && tail[tail.length - 1] === 0xd9;
    case 'gif':
      return tail.length >= 1 && tail[tail.length - 1] === 0x3b;
    case 'bmp': {
      // The header states the file's size; some writers leave 0 there.
      const stated = bytes.length >= 6 ? bytes.readUInt32LE(2) : -1;
      return stated === 0 || stated === bytes.length;
    }
    case 'tiff':
      return true;
  }
}

const tooManyPixels = (width: number, height: number) => width * height > MAX_PIXELS;

// --- images ----------------------------------------------------------------------------------

const PNG_SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function png(bytes: Buffer): Verdict {
  let at = 8;
  let first = true;
  let width = 0;
  let height = 0;
  let rowBytes = 0;
  const idat: Buffer[] = [];
  while (at + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.subarray(at + 4, at + 8).toString('latin1');
    if (!/^[A-Za-z]{4}$/.test(type)) return refuse('content');
    if (first) {
      if (type !== 'IHDR' || length < 13) return refuse('content');
      width = bytes.readUInt32BE(at + 8);
      height = bytes.readUInt32BE(at + 12);
      const depth = bytes[at + 16] ?? 8;
      const samples = PNG_SAMPLES[bytes[at + 17] ?? -1];
      if (width === 0 || height === 0 || samples === undefined) return refuse('corrupt');
      if (tooManyPixels(width, height)) return refuse('bomb');
      rowBytes = Math.ceil((width * samples * depth) / 8) + 1;
    }
    first = false;
    if (type === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    at += 12 + length;
    if (type === 'IEND') {
      if (at > bytes.length) return refuse('content');
      // The pixels inflate to what the header says (interlacing adds a few filter bytes per
      // pass): more is a deflate bomb.
      const expected = rowBytes * height;
      try {
        inflateSync(Buffer.concat(idat), {
          maxOutputLength: Math.min(MAX_INFLATED_BYTES, expected * 2 + 65_536),
          finishFlush: constants.Z_SYNC_FLUSH,
        });
      } catch (err) {
        return isTooLarge(err) ? refuse('bomb') : refuse('corrupt');
      }
      return { ok: true };
    }
  }
  return refuse('content');
}

function subBlocks(bytes: Buffer, at: number): number {
  let pos = at;
  for (;;) {
    if (pos >= bytes.length) return -1;
    const size = bytes[pos] ?? 0;
    pos += 1;
    if (size === 0) return pos;
    pos += size;
  }
}

function gif(bytes: Buffer): Verdict {
  if (bytes.length < 13) return refuse('content');
  // Sizes are judged once the blocks held together (a script behind "GIF89a" is not a GIF).
  let bomb = tooManyPixels(bytes.readUInt16LE(6), bytes.readUInt16LE(8));
  const flags = bytes[10] ?? 0;
  let at = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0);
  for (;;) {
    const block = bytes[at];
    if (block === 0x3b) return bomb ? refuse('bomb') : { ok: true };
    if (block === 0x21) {
      at = subBlocks(bytes, at + 2);
    } else if (block === 0x2c) {
      if (at + 10 > bytes.length) return refuse('content');
      bomb ||= tooManyPixels(bytes.readUInt16LE(at + 5), bytes.readUInt16LE(at + 7));
      const local = bytes[at + 9] ?? 0;
      at += 10 + (local & 0x80 ? 3 * 2 ** ((local & 0x07) + 1) : 0);
      // LZW minimum code size, then the image data.
      at = subBlocks(bytes, at + 1);
    } else {
      return refuse('content');
    }
    if (at < 0) return refuse('content');
  }
}

const JPEG_FRAMES = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpeg(bytes: Buffer): Verdict {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return refuse('content');
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    // Start of scan: the headers held together; the entropy-coded data follows.
    if (marker === 0xda) return { ok: true };
    if (marker >= 0xd0 && marker <= 0xd7) {
      at += 2;
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    if (length < 2) return refuse('content');
    if (
      JPEG_FRAMES.has(marker) &&
      at + 9 <= bytes.length &&
      tooManyPixels(bytes.readUInt16BE(at + 7), bytes.readUInt16BE(at + 5))
    )
      return refuse('bomb');
    at += 2 + length;
  }
  return refuse('content');
}

function bmp(bytes: Buffer): Verdict {
  if (bytes.length < 26) return refuse('content');
  const width = Math.abs(bytes.readInt32LE(18));
  const height = Math.abs(bytes.readInt32LE(22));
  if (tooManyPixels(width, height)) return refuse('bomb');
  return { ok: true };
}

function tiff(bytes: Buffer): Verdict {
  if (bytes.length < 8) return refuse('content');
  const le = bytes[0] === 0x49;
  const u16 = (at: number) => (le ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (le ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const ifd = u32(4);
  if (ifd + 2 > bytes.length) return refuse('content');
  const count = u16(ifd);
  if (ifd + 2 + count * 12 > bytes.length) return refuse('content');
  let width = 0;
  let height = 0;
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    const tag = u16(entry);
    const type = u16(entry + 2);
    const value = type === 3 ? u16(entry + 8) : u32(entry + 8);
    if (tag === 256) width = value;
    if (tag === 257) height = value;
  }
  if (width === 0 || height === 0) return refuse('corrupt');
  if (tooManyPixels(width, height)) return refuse('bomb');
  return { ok: true };
}

// --- PDF -------------------------------------------------------------------------------------

/** Names that make a PDF run code, send data, open other files, or carry other files. */
const PDF_FORBIDDEN = new Set([
  'JS',
  'JavaScript',
  'Launch',
  'SubmitForm',
  'ImportData',
  'EmbeddedFile',
  'EmbeddedFiles',
  'XFA',
  'RichMedia',
  'GoToE',
  'GoToR',
]);
// A name token: "/" then regular characters (PDF 32000 7.2.2); "#xx" escapes any byte.
// eslint-disable-next-line no-control-regex -- NUL is one of the delimiters the syntax names
const NAME = /\/([^\x00\t\n\f\r /<>[\]()%{}]*)/g;

function decodeName(raw: string): string {
  return raw.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The names of a piece of PDF object syntax, their #xx escapes decoded. */
function namesOf(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(NAME)) names.add(decodeName(match[1] ?? ''));
  return names;
}

function isTooLarge(err: unknown): boolean {
  return err instanceof RangeError || (err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';
}

interface PdfScan {
  forbidden: boolean;
  encrypted: boolean;
  bomb: boolean;
  opaque: boolean;
}

/**
 * Reads every object of the file, in the clear or in an object stream, for forbidden names; and
 * inflates every FlateDecode stream within the budget (a deflate bomb stops at it).
 */
function scanPdf(bytes: Buffer): PdfScan {
  const text = bytes.toString('latin1');
  const scan: PdfScan = { forbidden: false, encrypted: false, bomb: false, opaque: false };
  let budget = MAX_INFLATED_BYTES;
  const judge = (syntax: string) => {
    for (const name of namesOf(syntax)) {
      if (PDF_FORBIDDEN.has(name)) scan.forbidden = true;
      if (name === 'Encrypt') scan.encrypted = true;
    }
  };
  let from = 0;
  let at = text.indexOf('stream', 0);
  while (at !== -1) {
    if (text.startsWith('end', at - 3)) {
      at = text.indexOf('stream', at + 6);
      continue;
    }
    let start = at + 6;
    if (text[start] === '\r') start++;
    if (text[start] === '\n') start++;
    const dictStart = Math.max(text.lastIndexOf(' obj', at), text.lastIndexOf('endstream', at), from);
    const dict = text.slice(dictStart, at);
    const dictNames = namesOf(dict);
    judge(text.slice(from, at));
    // The stated length when it is a number and lands on "endstream", else the next "endstream".
    const stated = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
    let end = -1;
    if (stated) {
      const candidate = start + Number(stated[1]);
      if (/^\s*endstream/.test(text.slice(candidate, candidate + 20))) end = candidate;
    }
    if (end === -1) end = text.indexOf('endstream', start);
    if (end === -1) {
      // No end: the rest is judged as syntax; pdf-lib decides whether it is a PDF at all.
      from = start;
      break;
    }
    const objectStream = dictNames.has('ObjStm');
    const filters = [...dict.matchAll(/\/Filter\s*(\[[^\]]*\]|\/[^\s/[\]<>()]+)/g)].flatMap((m) => [
      ...namesOf(m[1] ?? ''),
    ]);
    const data = bytes.subarray(start, end);
    if (filters.length === 0) {
      if (objectStream) judge(data.toString('latin1'));
    } else if (filters[0] === 'FlateDecode' || filters[0] === 'Fl') {
      try {
        const inflated = inflateSync(data, { maxOutputLength: budget + 1, finishFlush: constants.Z_SYNC_FLUSH });
        budget -= inflated.length;
        if (budget < 0) scan.bomb = true;
        if (objectStream) judge(inflated.toString('latin1'));
      } catch (err) {
        if (isTooLarge(err)) scan.bomb = true;
        // An object stream that cannot be read hides objects from this check.
        else if (objectStream) scan.opaque = true;
      }
    } else if (objectStream) {
      // Other filters on an object stream (LZW, ASCII85…): objects this check cannot read.
      scan.opaque = true;
    }
    if (scan.bomb) return scan;
    from = end + 'endstream'.length;
    at = text.indexOf('stream', from);
  }
  judge(text.slice(from));
  return scan;
}

/** Actions that run when the document opens, read by pdf-lib from the resolved catalog. */
function runsCode(doc: PDFDocument): boolean {
  const catalog = doc.catalog;
  const names = catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
  if (names?.has(PDFName.of('JavaScript')) || names?.has(PDFName.of('EmbeddedFiles'))) return true;
  const action = catalog.lookup(PDFName.of('OpenAction'));
  if (action instanceof PDFDict) {
    const kind = action.lookup(PDFName.of('S'));
    if (kind !== undefined && kind !== PDFName.of('GoTo')) return true;
  }
  return catalog.has(PDFName.of('AA'));
}

async function pdf(bytes: Buffer): Promise<Verdict> {
  const scan = scanPdf(bytes);
  if (scan.bomb) return refuse('bomb');
  if (scan.encrypted) return refuse('encrypted');
  if (scan.forbidden) return refuse('active_content');
  if (scan.opaque) return refuse('too_complex');
  let doc: PDFDocument;
  let pages: number;
  try {
    doc = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true });
    pages = doc.getPageCount();
    // Every page must resolve to a page object with a size: a broken page tree is caught here.
    for (const page of doc.getPages()) page.getSize();
  } catch (err) {
    if (err instanceof EncryptedPDFError) return refuse('encrypted');
    return refuse('corrupt');
  }
  if (pages === 0) return refuse('corrupt');
  if (runsCode(doc)) return refuse('active_content');
  if (pages > MAX_PDF_PAGES) return refuse('too_many_pages', pages);
  return { ok: true, pageCount: pages };
}

/** The whole judgement of a file's bytes, given the kind its name announces. */
export async function judgeBytes(input: Uint8Array, kind: FileKind): Promise<Verdict> {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length === 0) return refuse('empty');
  if (!signatureMatches(kind, bytes)) return refuse('content');
  if (hasActiveMarker(bytes)) return refuse('active_content');
  if (hasZip(bytes) || !endsWell(kind, bytes)) return refuse('content');
  switch (kind) {
    case 'pdf':
      return pdf(bytes);
    case 'png':
      return png(bytes);
    case 'gif':
      return gif(bytes);
    case 'jpeg':
      return jpeg(bytes);
    case 'bmp':
      return bmp(bytes);
    case 'tiff':
      return tiff(bytes);
  }
}
