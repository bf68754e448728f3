// The splitting zone's server cut: a 100-page PDF (text and a photo on every page) cut into 8
// documents with Guichet's cutStoredPdf (pdf-lib copyPages, pages copied without re-encoding, read
// from and written to the local storage), beside qpdf (Debian, installed by provision) doing the
// same cut in the same run.
//
//   npx tsx bench/split.ts [--pages=100] [--pieces=8] [--runs=5]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import { createFileStorage } from '../app/file-storage.js';
import { cutStoredPdf } from '../app/pdf-split.js';
import { closeInspection, inspectFile, isRefusal } from '../app/inspection/index.js';

const run = promisify(execFile);

function option(name: string, fallback: number): number {
  const value = Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** A scan-like PDF: every page has text and its own 60 KB "photo" (a JPEG-looking stream). */
async function samplePdf(pages: number): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) {
    const page = doc.addPage([595, 842]);
    page.drawText(`Relevé ${i}`, { x: 50, y: 780, size: 24, font });
    for (let line = 0; line < 30; line++)
      page.drawText(`Ligne ${line} — opération ${i * 100 + line} : 123,45 EUR`, {
        x: 50,
        y: 740 - line * 20,
        size: 10,
        font,
      });
    // Unreferenced image-sized stream per page, as a scanner's photo would weigh.
    const photo = doc.context.stream(randomBytes(60_000), {
      Type: 'XObject',
      Subtype: 'Image',
      Width: 100,
      Height: 100,
      BitsPerComponent: 8,
      ColorSpace: 'DeviceRGB',
      Filter: 'DCTDecode',
    });
    const ref = doc.context.register(photo);
    page.node.setXObject(PDFName.of(`Im${i}`), ref);
  }
  return Buffer.from(await doc.save());
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const pages = option('pages', 100);
  const pieces = option('pieces', 8);
  const runs = option('runs', 5);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'guichet-bench-split-'));
  try {
    const storage = createFileStorage(path.join(tmp, 'files'));
    const source = await samplePdf(pages);
    const inspected = await inspectFile('releve.pdf', source);
    if (isRefusal(inspected)) throw new Error(`the sample PDF is refused: ${inspected.reason}`);
    const stored = await storage.put(inspected);
    const sourceFile = path.join(tmp, 'source.pdf');
    await writeFile(sourceFile, source);
    const per = Math.ceil(pages / pieces);
    const groups = Array.from({ length: pieces }, (_, k) =>
      Array.from({ length: Math.min(per, pages - k * per) }, (_, j) => k * per + j + 1),
    ).filter((g) => g.length > 0);

    const guichet: number[] = [];
    let outputBytes = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const cut = await cutStoredPdf(
        storage,
        stored.key,
        groups.map((g) => ({ pages: g })),
      );
      guichet.push(performance.now() - t0);
      outputBytes = cut.reduce((sum, c) => sum + c.sizeBytes, 0);
      await Promise.all(cut.map((c) => storage.delete(c.key)));
    }

    const qpdf: number[] = [];
    let qpdfBytes = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      for (const [k, g] of groups.entries()) {
        await run('qpdf', [
          '--empty',
          '--pages',
          sourceFile,
          `${g[0]}-${g[g.length - 1]}`,
          '--',
          path.join(tmp, `q${k}.pdf`),
        ]);
      }
      qpdf.push(performance.now() - t0);
      qpdfBytes = 0;
      for (const k of groups.keys()) qpdfBytes += (await stat(path.join(tmp, `q${k}.pdf`))).size;
    }
    const { stdout } = await run('qpdf', ['--version']);
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(2)} MB`;
    process.stdout.write(
      [
        `bench/split: a ${pages}-page PDF of ${mb(source.length)} cut into ${groups.length} documents, ${runs} runs (${os.cpus().length} CPUs, node ${process.version}, ${stdout.split('\n')[0]})`,
        `  Guichet (pdf-lib copyPages, each piece inspected, storage in and out): median ${median(guichet).toFixed(0)} ms, min ${Math.min(...guichet).toFixed(0)} ms, max ${Math.max(...guichet).toFixed(0)} ms; output ${mb(outputBytes)}`,
        `  qpdf --empty --pages (one process per document): median ${median(qpdf).toFixed(0)} ms, min ${Math.min(...qpdf).toFixed(0)} ms, max ${Math.max(...qpdf).toFixed(0)} ms; output ${mb(qpdfBytes)}`,
      ].join('\n') + '\n',
    );
  } finally {
    await closeInspection();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench/split failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
