// The rules for files clients attach (seed 000): .pdf .png .jpg .jpeg .tif .tiff .bmp .gif, from
// 1 byte to 10 MB each, the type checked from the bytes as well as from the name. One place for
// the rules, the names shown and the messages; the routes stream, this module decides.
import { Transform, type TransformCallback } from 'node:stream';
import type { Messages } from '../i18n/index.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES_PER_MESSAGE = 5;
/** Longest name kept for display (characters), extension included. */
export const MAX_NAME_LENGTH = 120;

export type FileKind = 'pdf' | 'png' | 'jpeg' | 'tiff' | 'bmp' | 'gif';

const KIND_BY_EXTENSION: Record<string, FileKind> = {
  pdf: 'pdf',
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  tif: 'tiff',
  tiff: 'tiff',
  bmp: 'bmp',
  gif: 'gif',
};

export const CONTENT_TYPES: Record<FileKind, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
  gif: 'image/gif',
};

/** For the file picker's `accept`: extensions and the matching types (phones list by type). */
export const ACCEPT_ATTRIBUTE = [
  ...Object.keys(KIND_BY_EXTENSION).map((ext) => `.${ext}`),
  ...new Set(Object.values(CONTENT_TYPES)),
].join(',');

const bytes = (...values: number[]) => Buffer.from(values);
const ascii = (text: string) => Buffer.from(text, 'latin1');

/** What the first bytes of each kind must be (any one of the list). */
const SIGNATURES: Record<FileKind, Buffer[]> = {
  pdf: [ascii('%PDF-')],
  png: [bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
  jpeg: [bytes(0xff, 0xd8, 0xff)],
  tiff: [bytes(0x49, 0x49, 0x2a, 0x00), bytes(0x4d, 0x4d, 0x00, 0x2a)],
  bmp: [ascii('BM')],
  gif: [ascii('GIF87a'), ascii('GIF89a')],
};
/** Bytes needed to decide any kind. */
export const SIGNATURE_BYTES = Math.max(...Object.values(SIGNATURES).flat().map((s) => s.length));

export type RefusalReason = 'type' | 'content' | 'empty' | 'too_large' | 'name' | 'too_many' | 'encrypted' | 'corrupt' | 'too_many_pages' | 'active_content';

export interface FileRefusal {
  reason: RefusalReason;
  /** The name as shown (already made displayable). */
  name: string;
  kind?: FileKind;
  /** Pages of a PDF refused for having too many. */
  pages?: number;
}

/**
 * The name shown to people and sent to Redmine: no directory, no control or invisible
 * formatting characters (a right-to-left override can disguise "gpj.exe" as "exe.jpg"), spaces
 * collapsed, at most MAX_NAME_LENGTH characters with the extension kept. Never used as a path.
 */
export function displayName(raw: string): string {
  const base = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const clean = base
    .replace(/[\t\n\v\f\r\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  const chars = [...clean];
  if (chars.length <= MAX_NAME_LENGTH) return clean;
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 ? [...clean.slice(dot)] : [];
  const keep = ext.length > 0 && ext.length <= 10 ? ext : [];
  return `${chars.slice(0, MAX_NAME_LENGTH - keep.length - 1).join('').trimEnd()}…${keep.join('')}`;
}

/** A name that climbs directories ("../x.pdf") is forged: no browser sends one. */
export function isTraversalName(raw: string): boolean {
  return raw.split(/[/\\]/).some((segment) => segment.trim() === '..');
}

/** The kind the name's extension announces, if it is an accepted one. */
export function kindOfName(name: string): FileKind | undefined {
  const match = /\.([A-Za-z0-9]+)$/.exec(name);
  return match?.[1] ? KIND_BY_EXTENSION[match[1].toLowerCase()] : undefined;
}

export function signatureMatches(kind: FileKind, head: Buffer): boolean {
  return SIGNATURES[kind].some((signature) => head.length >= signature.length && head.subarray(0, signature.length).equals(signature));
}

/** Checks on the name alone, before any byte is read. */
export function checkName(raw: string): { name: string; kind: FileKind } | FileRefusal {
  const name = displayName(raw);
  if (isTraversalName(raw) || name === '' || name === '.' || name === '..') return { reason: 'name', name: name || '?' };
  const kind = kindOfName(name);
  if (!kind) return { reason: 'type', name };
  return { name, kind };
}

export class FileContentError extends Error {
  override name = 'FileContentError';
  constructor(readonly kind: FileKind) {
    super(`the bytes are not those of a ${kind} file`);
  }
}

/**
 * Passes the bytes through and fails (FileContentError) as soon as the first ones are not those
 * of the announced kind, so that a disguised file stops before it is written whole.
 */
export function signatureCheck(kind: FileKind): Transform {
  let head = Buffer.alloc(0);
  let decided = false;
  const needed = Math.max(...SIGNATURES[kind].map((s) => s.length));
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (!decided) {
        head = Buffer.concat([head, chunk.subarray(0, needed - head.length)]);
        if (head.length >= needed) {
          decided = true;
          if (!signatureMatches(kind, head)) return callback(new FileContentError(kind));
        }
      }
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      // Shorter than the signature: an empty file is told apart by its size, the rest is wrong.
      if (!decided && head.length > 0 && !signatureMatches(kind, head)) return callback(new FileContentError(kind));
      callback();
    },
  });
}

const KIND_LABEL: Record<FileKind, string> = { pdf: 'PDF', png: 'PNG', jpeg: 'JPEG', tiff: 'TIFF', bmp: 'BMP', gif: 'GIF' };

export function refusalMessage(t: Messages, refusal: FileRefusal): string {
  const f = t.files;
  switch (refusal.reason) {
    case 'type':
      return f.refusedType(refusal.name);
    case 'content':
      return f.refusedContent(refusal.name, KIND_LABEL[refusal.kind ?? 'pdf']);
    case 'empty':
      return f.refusedEmpty(refusal.name);
    case 'too_large':
      return f.refusedTooLarge(refusal.name);
    case 'name':
      return f.refusedName(refusal.name);
    case 'too_many':
      return f.tooMany(MAX_FILES_PER_MESSAGE);
    case 'encrypted':
      return f.refusedEncrypted(refusal.name);
    case 'corrupt':
      return f.refusedCorrupt(refusal.name, KIND_LABEL[refusal.kind ?? 'pdf']);
    case 'too_many_pages':
      return f.refusedTooManyPages(refusal.name, refusal.pages ?? 0, MAX_PDF_PAGES);
    case 'active_content':
      return f.refusedActiveContent(refusal.name);
  }
}

/** A PDF with more pages than this is refused (a deposit is a document, not an archive). */
export const MAX_PDF_PAGES = 500;

// Markers of content a browser or a viewer would run: an image or PDF carrying them is a
// polyglot (HTML, SVG, script), refused whatever its first bytes say. Searched case-insensitively.
const HTML_MARKERS = ['<script', '<html', '<svg', '<iframe', '<!doctype html', '<body'].map((m) => Buffer.from(m, 'latin1'));
const JAVASCRIPT = Buffer.from('javascript:', 'latin1');
// PDF actions that run code or programs when the document opens.
const PDF_ACTIVE = ['/JavaScript', '/Launch'].map((m) => Buffer.from(m, 'latin1'));
const PDF_ENCRYPT = Buffer.from('/Encrypt', 'latin1');
const OVERLAP = 16;
const TAIL_BYTES = 2048;

/**
 * Reads the bytes as they pass (nothing is held but a short tail) and judges the whole file once
 * it is complete: active content anywhere, an encrypted PDF, and for each kind an ending that a
 * genuine file has (a polyglot carries another file after the image or the PDF).
 */
export class ContentInspector extends Transform {
  private carry = Buffer.alloc(0);
  private tail = Buffer.alloc(0);
  private head = Buffer.alloc(0);
  private size = 0;
  private active = false;
  private encrypted = false;

  constructor(readonly kind: FileKind) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.head.length < 64) this.head = Buffer.concat([this.head, chunk.subarray(0, 64 - this.head.length)]);
    // Searched in place (no copy of the chunk, no string): the bytes where two chunks meet are
    // searched apart, in a small joint.
    this.scan(Buffer.concat([this.carry, chunk.subarray(0, OVERLAP)]));
    this.scan(chunk);
    this.carry = Buffer.from(chunk.subarray(Math.max(0, chunk.length - OVERLAP)));
    this.tail = chunk.length >= TAIL_BYTES ? Buffer.from(chunk.subarray(chunk.length - TAIL_BYTES)) : Buffer.concat([this.tail, chunk]).subarray(-TAIL_BYTES);
    callback(null, chunk);
  }

  private scan(bytes: Buffer): void {
    if (this.kind === 'pdf') {
      if (!this.encrypted && bytes.includes(PDF_ENCRYPT)) this.encrypted = true;
      if (!this.active && PDF_ACTIVE.some((m) => bytes.includes(m))) this.active = true;
    }
    if (this.active) return;
    // Every HTML marker starts with "<"; "javascript:" is found by its colon.
    for (let at = bytes.indexOf(0x3c); at !== -1; at = bytes.indexOf(0x3c, at + 1)) {
      if (HTML_MARKERS.some((m) => startsWithFolded(bytes, at, m))) {
        this.active = true;
        return;
      }
    }
    for (let at = bytes.indexOf(0x3a); at !== -1; at = bytes.indexOf(0x3a, at + 1)) {
      if (at >= 10 && startsWithFolded(bytes, at - 10, JAVASCRIPT)) {
        this.active = true;
        return;
      }
    }
  }

  /** What is wrong with the file once all of it passed, if anything. */
  verdict(): 'active_content' | 'encrypted' | 'content' | undefined {
    if (this.active) return 'active_content';
    if (this.encrypted) return 'encrypted';
    if (this.size === 0) return undefined;
    return endsWell(this.kind, this.head, trimPadding(this.tail), this.size) ? undefined : 'content';
  }
}

/** Whether `bytes` holds `marker` (lower-case ASCII) at `at`, whatever the case of its letters. */
function startsWithFolded(bytes: Buffer, at: number, marker: Buffer): boolean {
  if (at + marker.length > bytes.length) return false;
  for (let i = 0; i < marker.length; i++) {
    const b = bytes[at + i]!;
    if ((b >= 0x41 && b <= 0x5a ? b + 0x20 : b) !== marker[i]) return false;
  }
  return true;
}

/** Some writers pad a file with zeros or line ends after its end marker. */
function trimPadding(tail: Buffer): Buffer {
  let end = tail.length;
  while (end > 0 && [0x00, 0x0a, 0x0d, 0x20].includes(tail[end - 1] ?? -1)) end--;
  return tail.subarray(0, end);
}

const PNG_END = Buffer.from([0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

function endsWell(kind: FileKind, head: Buffer, tail: Buffer, size: number): boolean {
  switch (kind) {
    case 'pdf':
      // The last %%EOF ends the file (incremental updates append after earlier ones).
      return tail.subarray(Math.max(0, tail.length - 1024)).includes('%%EOF');
    case 'png':
      return tail.length >= 8 && tail.subarray(tail.length - 8).equals(PNG_END) && head.subarray(12, 16).toString('latin1') === 'IHDR';
    case 'jpeg':
      return tail.length >= 2 && tail[tail.length - 2] === 0xff && tail[tail.length - 1] === 0xd9;
    case 'gif':
      return tail.length >= 1 && tail[tail.length - 1] === 0x3b;
    case 'bmp': {
      // The header states the file's size; some writers leave 0 there.
      const stated = head.length >= 6 ? head.readUInt32LE(2) : -1;
      return stated === 0 || stated === size;
    }
    case 'tiff':
      return true;
  }
}
