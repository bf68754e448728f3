// The structure of deposited images, walked block by block: a genuine PNG is a chain of chunks
// ending with IEND, a GIF a chain of blocks ending with its trailer, a JPEG a chain of segments up
// to its image data. A file whose first bytes only look right (a script behind "GIF89a", a page
// behind a PNG signature) breaks the chain and is refused.
import type { FileKind } from '../files.js';

function png(bytes: Buffer): boolean {
  let at = 8;
  let first = true;
  while (at + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.subarray(at + 4, at + 8).toString('latin1');
    if (!/^[A-Za-z]{4}$/.test(type)) return false;
    if (first && type !== 'IHDR') return false;
    first = false;
    at += 12 + length;
    if (type === 'IEND') return at <= bytes.length;
  }
  return false;
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

function gif(bytes: Buffer): boolean {
  if (bytes.length < 13) return false;
  const flags = bytes[10] ?? 0;
  let at = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 0x07) + 1) : 0);
  for (;;) {
    const block = bytes[at];
    if (block === 0x3b) return true;
    if (block === 0x21) {
      at = subBlocks(bytes, at + 2);
    } else if (block === 0x2c) {
      if (at + 10 > bytes.length) return false;
      const local = bytes[at + 9] ?? 0;
      at += 10 + (local & 0x80 ? 3 * 2 ** ((local & 0x07) + 1) : 0);
      // LZW minimum code size, then the image data.
      at = subBlocks(bytes, at + 1);
    } else {
      return false;
    }
    if (at < 0) return false;
  }
}

function jpeg(bytes: Buffer): boolean {
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return false;
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    // Start of scan: the headers held together; the entropy-coded data follows.
    if (marker === 0xda) return true;
    if (marker >= 0xd0 && marker <= 0xd7) {
      at += 2;
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    if (length < 2) return false;
    at += 2 + length;
  }
  return false;
}

/** Whether the image's blocks chain up as its format says (other kinds: not checked here). */
export function imageStructureHolds(kind: FileKind, bytes: Buffer): boolean {
  switch (kind) {
    case 'png':
      return png(bytes);
    case 'gif':
      return gif(bytes);
    case 'jpeg':
      return jpeg(bytes);
    default:
      return true;
  }
}
