// The consultation stamp on a 100-page PDF: pdf-lib (app/watermark.ts, what Guichet serves)
// beside qpdf's --overlay of a one-page stamp on the same file, in the same run.
//
//   npx tsx bench/watermark.ts [--pages=100] [--runs=5]
//
// Each page has 45 lines of text and its own 320×240 photo (random pixels, as incompressible as
// a scan): about 230 KB of image a page. pdf-lib runs in this process: wall time per run, the process's peak RSS (getrusage) and the
// heap after the runs. qpdf runs under /usr/bin/time: wall time and its peak RSS. Both outputs
// are checked with pdftoppm (stamp pixels on the first and last page) before numbers are printed.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { stampForConsultation } from '../app/watermark.js';
import { makeReport, renderPages, run } from '../tests/helpers/pdf.js';

function option(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  const value = Number(arg?.split('=')[1] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function hasStamp(pdf: Uint8Array, pageIndexes: number[]): Promise<boolean> {
  const pages = await renderPages(pdf, 24);
  return pageIndexes.every((i) => {
    const p = pages[i];
    if (!p) return false;
    let red = 0;
    for (let j = 0; j < p.pixels.length; j += 3)
      if (p.pixels[j]! - p.pixels[j + 1]! > 40 && p.pixels[j]! - p.pixels[j + 2]! > 40) red++;
    return red > 100;
  });
}

async function main() {
  const pages = option('pages', 100);
  const runs = option('runs', 5);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-bench-wm-'));
  try {
    const input = await makeReport(pages, { rotateEvery: 7, linesPerPage: 45, scanPixels: [320, 240] });
    const inputPath = path.join(dir, 'in.pdf');
    await writeFile(inputPath, input);

    // pdf-lib, in process.
    const rssBefore = process.resourceUsage().maxRSS * 1024;
    await stampForConsultation(input); // warm-up (font embedding code, JIT)
    const libTimes: number[] = [];
    let stamped: Uint8Array = new Uint8Array();
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      stamped = await stampForConsultation(input);
      libTimes.push(performance.now() - t0);
    }
    const rssPeak = process.resourceUsage().maxRSS * 1024;
    const heap = process.memoryUsage().heapUsed;
    if (!(await hasStamp(stamped, [0, pages - 1]))) throw new Error('pdf-lib output has no stamp');

    // qpdf --overlay: a one-page stamp (made with the same code on a blank A4 page) on every page.
    const blank = await PDFDocument.create();
    blank.addPage([595, 842]);
    await writeFile(path.join(dir, 'stamp.pdf'), await stampForConsultation(await blank.save()));
    const qpdfTimes: number[] = [];
    const qpdfRss: number[] = [];
    const out = path.join(dir, 'qpdf.pdf');
    for (let i = 0; i < runs; i++) {
      const { stderr } = await run('/usr/bin/time', [
        '-f',
        'TIME %e %M',
        'qpdf',
        inputPath,
        '--overlay',
        path.join(dir, 'stamp.pdf'),
        '--repeat=1',
        '--',
        out,
      ]);
      const m = /TIME ([\d.]+) (\d+)/.exec(stderr);
      if (!m) throw new Error(`no timing from /usr/bin/time: ${stderr}`);
      qpdfTimes.push(Number(m[1]) * 1000);
      qpdfRss.push(Number(m[2]) * 1024);
    }
    const qpdfOut = await readFile(out);
    if (!(await hasStamp(qpdfOut, [0, pages - 1]))) throw new Error('qpdf output has no stamp');
    const { stdout: qpdfVersion } = await run('qpdf', ['--version']);

    console.log(
      `bench/watermark: ${pages} pages, input ${mb(input.length)}, ${runs} runs each, ${os.cpus().length} CPU, node ${process.version}`,
    );
    console.log('| tool | median time | min / max | peak RSS | output |');
    console.log('|---|---|---|---|---|');
    console.log(
      `| pdf-lib (stampForConsultation) | ${median(libTimes).toFixed(0)} ms | ${Math.min(...libTimes).toFixed(0)} / ${Math.max(...libTimes).toFixed(0)} ms | ${mb(rssPeak)} process (was ${mb(rssBefore)}; heap after ${mb(heap)}) | ${mb(stamped.length)} |`,
    );
    console.log(
      `| ${qpdfVersion.split('\n')[0]} --overlay | ${median(qpdfTimes).toFixed(0)} ms | ${Math.min(...qpdfTimes).toFixed(0)} / ${Math.max(...qpdfTimes).toFixed(0)} ms | ${mb(median(qpdfRss))} | ${mb((await stat(out)).size)} |`,
    );
    console.log(`command: npx tsx bench/watermark.ts --pages=${pages} --runs=${runs}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
