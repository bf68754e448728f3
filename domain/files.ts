// The rules for files clients attach (seed 000): .pdf .png .jpg .jpeg .tif .tiff .bmp .gif, from
// 1 byte to 10 MB each, the type checked from the bytes as well as from the name. One place for
// the kinds, the name rule, the names shown and the messages; app/inspection judges the bytes
// (every file goes through it before it is stored).
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
export const SIGNATURE_BYTES = Math.max(
  ...Object.values(SIGNATURES)
    .flat()
    .map((s) => s.length),
);

export type RefusalReason =
  | 'type'
  | 'content'
  | 'empty'
  | 'too_large'
  | 'name'
  | 'too_many'
  | 'encrypted'
  | 'corrupt'
  | 'too_many_pages'
  | 'active_content'
  /** A declared image size or compressed content that would take the reader's memory. */
  | 'bomb'
  /** The check itself ran out of time or memory (or its worker failed). */
  | 'too_complex'
  /** A kind this upload does not take (a PDF as logo). */
  | 'kind_not_allowed';

export interface FileRefusal {
  reason: RefusalReason;
  /** The name as shown (already made displayable). */
  name: string;
  kind?: FileKind;
  /** Pages of a PDF refused for having too many. */
  pages?: number;
  /** The limit a too-large file went over, when it is not MAX_FILE_BYTES. */
  maxBytes?: number;
  /** The kinds the upload takes, when a kind is not allowed there. */
  allowed?: readonly FileKind[];
}

// Names Windows cannot save a file under, whatever the extension ("CON.pdf", "com1.jpg").
const RESERVED_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;

/**
 * The name shown to people and sent to Redmine, sanitized rather than refused: no directory
 * (only the last segment is kept), no control or invisible formatting characters (bidi overrides
 * U+202A–202E and isolates U+2066–2069 are Cf: a right-to-left override can disguise "gpj.exe"
 * as "exe.jpg"), spaces collapsed, a Windows reserved name prefixed with "_", at most
 * MAX_NAME_LENGTH characters with the extension kept. Never used as a path (storage keys are
 * random). What checkName refuses: a name climbing directories, and one left empty.
 */
export function displayName(raw: string): string {
  const base = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const stripped = base
    .replace(/[\t\n\v\f\r\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  const clean = RESERVED_NAME.test(stripped) ? `_${stripped}` : stripped;
  const chars = [...clean];
  if (chars.length <= MAX_NAME_LENGTH) return clean;
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 ? [...clean.slice(dot)] : [];
  const keep = ext.length > 0 && ext.length <= 10 ? ext : [];
  return `${chars
    .slice(0, MAX_NAME_LENGTH - keep.length - 1)
    .join('')
    .trimEnd()}…${keep.join('')}`;
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
  return SIGNATURES[kind].some(
    (signature) => head.length >= signature.length && head.subarray(0, signature.length).equals(signature),
  );
}

/** Checks on the name alone, before any byte is read. */
export function checkName(raw: string): { name: string; kind: FileKind } | FileRefusal {
  const name = displayName(raw);
  if (isTraversalName(raw) || name === '' || name === '.' || name === '..')
    return { reason: 'name', name: name || '?' };
  const kind = kindOfName(name);
  if (!kind) return { reason: 'type', name };
  return { name, kind };
}

const KIND_LABEL: Record<FileKind, string> = {
  pdf: 'PDF',
  png: 'PNG',
  jpeg: 'JPEG',
  tiff: 'TIFF',
  bmp: 'BMP',
  gif: 'GIF',
};

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
      return refusal.maxBytes !== undefined
        ? f.refusedTooLargeFor(refusal.name, megabytes(refusal.maxBytes))
        : f.refusedTooLarge(refusal.name);
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
    case 'bomb':
      return f.refusedBomb(refusal.name);
    case 'too_complex':
      return f.refusedTooComplex(refusal.name);
    case 'kind_not_allowed':
      return f.refusedKindHere(refusal.name, (refusal.allowed ?? []).map((k) => KIND_LABEL[k]).join(', '));
  }
}

function megabytes(bytes: number): string {
  return String(Math.round((bytes / (1024 * 1024)) * 10) / 10);
}

/** A PDF with more pages than this is refused (a deposit is a document, not an archive). */
export const MAX_PDF_PAGES = 500;
