// PDFs for tests and benchmarks, and poppler's view of them (pdftoppm, pdftotext).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument, StandardFonts, degrees, rgb } from 'pdf-lib';
import { makePng } from './png.js';

export const run = promisify(execFile);

/** A text-heavy report, one line naming each page ("Rapport de diagnostic page N"). */
export async function makeReport(
  pages: number,
  options: { rotateEvery?: number; linesPerPage?: number; scanPixels?: [number, number] } = {},
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const landscape = i % 3 === 2;
    const page = doc.addPage(landscape ? [842, 595] : [595, 842]);
    if (options.rotateEvery && i % options.rotateEvery === 0) page.setRotation(degrees(90));
    if (i % 4 === 0) page.setCropBox(40, 60, page.getWidth() - 80, page.getHeight() - 120);
    if (options.scanPixels) {
      // A photo or scan on the page: its own image, incompressible like a real one.
      const [w, h] = options.scanPixels;
      const image = await doc.embedPng(makePng(w, h, [0, 0, 0], [0, 0, 0], true));
      page.drawImage(image, { x: 70, y: 60, width: 300, height: (300 * h) / w });
    }
    page.drawText(`Rapport de diagnostic page ${i}`, {
      x: 70,
      y: page.getHeight() - 110,
      size: 16,
      font,
      color: rgb(0, 0, 0),
    });
    for (let line = 0; line < (options.linesPerPage ?? 20); line++) {
      page.drawText(`Ligne ${line + 1} : mesure conforme, aucune anomalie relevée dans la pièce ${line + 1}.`, {
        x: 70,
        y: page.getHeight() - 140 - line * 14,
        size: 9,
        font,
        color: rgb(0.2, 0.2, 0.2),
      });
    }
  }
  return doc.save();
}

export interface RenderedPage {
  width: number;
  height: number;
  /** RGB, 3 bytes a pixel. */
  pixels: Buffer;
}

function parsePpm(buf: Buffer): RenderedPage {
  // P6\n<w> <h>\n<max>\n<data>
  let offset = 0;
  const fields: string[] = [];
  while (fields.length < 4) {
    while (buf[offset] === 0x20 || buf[offset] === 0x0a || buf[offset] === 0x0d || buf[offset] === 0x09) offset++;
    let end = offset;
    while (end < buf.length && buf[end] !== 0x20 && buf[end] !== 0x0a && buf[end] !== 0x0d && buf[end] !== 0x09) end++;
    fields.push(buf.subarray(offset, end).toString('ascii'));
    offset = end;
  }
  if (fields[0] !== 'P6' || fields[3] !== '255') throw new Error(`not an 8-bit PPM: ${fields.join(' ')}`);
  return { width: Number(fields[1]), height: Number(fields[2]), pixels: buf.subarray(offset + 1) };
}

/** Every page rendered by pdftoppm at `dpi`. */
export async function renderPages(pdf: Uint8Array, dpi = 36): Promise<RenderedPage[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-pdf-'));
  try {
    await writeFile(path.join(dir, 'in.pdf'), pdf);
    await run('pdftoppm', ['-r', String(dpi), path.join(dir, 'in.pdf'), path.join(dir, 'page')]);
    const files = (await readdir(dir))
      .filter((f) => f.endsWith('.ppm'))
      .sort((a, b) => Number(/(\d+)\.ppm$/.exec(a)?.[1]) - Number(/(\d+)\.ppm$/.exec(b)?.[1]));
    return Promise.all(files.map(async (f) => parsePpm(await readFile(path.join(dir, f)))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function pdfText(pdf: Uint8Array): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-pdf-'));
  try {
    await writeFile(path.join(dir, 'in.pdf'), pdf);
    const { stdout } = await run('pdftotext', [path.join(dir, 'in.pdf'), '-'], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
