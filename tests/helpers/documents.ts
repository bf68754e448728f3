// Files and cases for the document-collection tests: genuine PDFs (pdf-lib) and images whose
// blocks chain up as their format says, and per-test templates cloned from the seeded ones.
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import type { Db } from '../../db/connect.js';
import type { Account, Case, DocumentTemplate, Space } from '../../db/database.js';
import { createCase, findTemplateBySlug } from '../../db/documents.js';

export async function makePdf(pages: number, label = 'Page'): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`${label} ${i}`, { x: 60, y: 760, size: 48, font });
    page.drawRectangle({ x: 60, y: 100 + i * 20, width: 400, height: 300, borderWidth: 3 });
  }
  return Buffer.from(await doc.save());
}

export const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
export const GIF_1PX = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** A JPEG's segment chain (SOI, APP0 JFIF, SOS) with scan data and EOI. */
export function makeJpeg(scanBytes = 2000): Buffer {
  const app0 = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  ]);
  const sos = Buffer.from([0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3f, 0x00]);
  const scan = Buffer.from(randomBytes(scanBytes).map((b) => (b === 0xff ? 0x00 : b)));
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sos, scan, Buffer.from([0xff, 0xd9])]);
}

/** A 2×2 24-bit BMP whose header states its true size. */
export function makeBmp(): Buffer {
  const pixels = 16;
  const buf = Buffer.alloc(54 + pixels);
  buf.write('BM', 0, 'latin1');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(54, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(2, 18);
  buf.writeInt32LE(2, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(24, 28);
  buf.writeUInt32LE(pixels, 34);
  return buf;
}

/**
 * A genuine PDF of exactly `size` bytes: one page, an image-sized stream of random bytes (as a
 * scanner's photo weighs), padded after its end marker as some writers do.
 */
export async function pdfOfSize(size: number): Promise<Buffer> {
  const base = await makePdf(1);
  if (size < base.length) throw new Error(`a PDF takes at least ${base.length} bytes`);
  const doc = await PDFDocument.load(base);
  const room = size - base.length - 400;
  if (room > 0) {
    const photo = doc.context.stream(randomBytes(room), {
      Type: 'XObject',
      Subtype: 'Image',
      Width: 10,
      Height: 10,
      BitsPerComponent: 8,
      ColorSpace: 'DeviceRGB',
      Filter: 'DCTDecode',
    });
    doc.getPage(0).node.setXObject(PDFName.of('Im1'), doc.context.register(photo));
  }
  const bytes = Buffer.from(await doc.save({ useObjectStreams: false }));
  if (bytes.length > size)
    return base.length <= size ? Buffer.concat([base, Buffer.alloc(size - base.length, 0x0a)]) : base;
  return Buffer.concat([bytes, Buffer.alloc(size - bytes.length, 0x0a)]);
}

/**
 * The same, written by hand and at once (no pdf-lib): one page, a random-bytes image stream of
 * the room left, a true cross-reference table, then line ends up to exactly `size` (at least 700).
 */
export function genuinePdf(size: number): Buffer {
  const objects = (room: number): Buffer[] => [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >> >>'),
    Buffer.concat([
      Buffer.from(
        `<< /Type /XObject /Subtype /Image /Width 10 /Height 10 /BitsPerComponent 8 /ColorSpace /DeviceRGB /Filter /DCTDecode /Length ${room} >>\nstream\n`,
      ),
      randomBytes(room),
      Buffer.from('\nendstream'),
    ]),
  ];
  const build = (room: number): Buffer => {
    const parts: Buffer[] = [Buffer.from('%PDF-1.4\n')];
    let at = parts[0]!.length;
    const offsets: number[] = [];
    for (const [i, body] of objects(room).entries()) {
      offsets.push(at);
      const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
      parts.push(chunk);
      at += chunk.length;
    }
    parts.push(
      Buffer.from(
        `xref\n0 5\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`,
      ),
    );
    return Buffer.concat(parts);
  };
  const overhead = build(0).length + 20;
  if (size < overhead) throw new Error(`a PDF takes at least ${overhead} bytes`);
  const bytes = build(size - overhead);
  return Buffer.concat([bytes, Buffer.alloc(size - bytes.length, 0x0a)]);
}

/** A genuine grey PNG of about `size` bytes (its pixels stored, not compressed: random noise). */
export function genuinePng(size: number): Buffer {
  const width = 64;
  const rows = Math.max(1, Math.floor((size - 100) / (width + 1)));
  const raw = Buffer.from(randomBytes(rows * (width + 1)).map((b, i) => (i % (width + 1) === 0 ? 0 : b)));
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(rows, 4);
  ihdr[8] = 8;
  return Buffer.concat([
    PNG_1PX.subarray(0, 8),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 0 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A genuine JPEG of exactly `size` bytes (at least 33). */
export function jpegOfSize(size: number): Buffer {
  return makeJpeg(size - 32);
}

/** A 2×2 8-bit grey TIFF (little-endian): one IFD, one strip. */
export function makeTiff(): Buffer {
  const entries: Array<[number, number, number]> = [
    [256, 3, 2], // ImageWidth
    [257, 3, 2], // ImageLength
    [258, 3, 8], // BitsPerSample
    [259, 3, 1], // Compression: none
    [262, 3, 1], // Photometric: black is zero
    [273, 4, 0], // StripOffsets (set below)
    [278, 3, 2], // RowsPerStrip
    [279, 4, 4], // StripByteCounts
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const pixels = 8 + ifdSize;
  const buf = Buffer.alloc(pixels + 4);
  buf.write('II', 0, 'latin1');
  buf.writeUInt16LE(42, 2);
  buf.writeUInt32LE(8, 4);
  buf.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, value], i) => {
    const at = 10 + i * 12;
    buf.writeUInt16LE(tag, at);
    buf.writeUInt16LE(type, at + 2);
    buf.writeUInt32LE(1, at + 4);
    if (type === 3) buf.writeUInt16LE(value, at + 8);
    else buf.writeUInt32LE(tag === 273 ? pixels : value, at + 8);
  });
  buf.set([0x00, 0x80, 0xc0, 0xff], pixels);
  return buf;
}

/** A copy of a seeded template for one test file (its own reminder cadence and digest window). */
export async function cloneTemplate(
  db: Db,
  slug: string,
  overrides: { reminderDays?: number[]; reminderEveryDays?: number; digestMinutes?: number } = {},
): Promise<DocumentTemplate> {
  const source = await findTemplateBySlug(db, slug);
  if (!source) throw new Error(`no template ${slug}`);
  const copy = await db
    .insertInto('document_templates')
    .values({
      slug: `${slug}-${randomBytes(4).toString('hex')}`,
      name: source.name,
      name_en: source.name_en,
      sector: source.sector,
      roles: JSON.stringify(source.roles),
      reminder_days: overrides.reminderDays ?? source.reminder_days,
      reminder_every_days: overrides.reminderEveryDays ?? source.reminder_every_days,
      digest_minutes: overrides.digestMinutes ?? source.digest_minutes,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const categories = await db
    .selectFrom('document_categories')
    .selectAll()
    .where('template_id', '=', source.id)
    .orderBy('position')
    .execute();
  await db
    .insertInto('document_categories')
    .values(
      categories.map((c) => ({
        template_id: copy.id,
        position: c.position,
        code: c.code,
        label: c.label,
        label_en: c.label_en,
        accepts: JSON.stringify(c.accepts),
        refusal_reasons: JSON.stringify(c.refusal_reasons),
        pieces: JSON.stringify(c.pieces),
      })),
    )
    .execute();
  return copy;
}

export async function makeCase(
  db: Db,
  options: {
    space: Space;
    client: Account;
    template: DocumentTemplate;
    facts?: Record<string, string | number>;
    number?: string;
    startedAt?: Date;
  },
): Promise<Case> {
  const kase = await createCase(db, {
    spaceId: options.space.id,
    templateId: options.template.id,
    clientAccountId: options.client.id,
    number: options.number ?? `TELEFI-${randomBytes(4).toString('hex').toUpperCase()}`,
    title: 'Location avec option d’achat',
    facts: options.facts ?? {},
  });
  // Marked started: a test system starting meanwhile (they share the database) must not take
  // this case's workflow onto its own task queue (see startPendingCollections).
  return db
    .updateTable('cases')
    .set({ collection_started_at: options.startedAt ?? new Date() })
    .where('id', '=', kase.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function categoryId(db: Db, templateId: string, code: string): Promise<string> {
  const row = await db
    .selectFrom('document_categories')
    .select('id')
    .where('template_id', '=', templateId)
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Every file under a storage directory, as relative paths. */
export async function storedFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}
