// 10,000 cases to .xlsx: time and memory (RSS growth) of the export as the route runs it
// (streamCases batches of 1,000 → exceljs's streaming WorkbookWriter → the response stream, here
// a file), beside the same workbook built in memory (exceljs Workbook + writeBuffer) for contrast.
// Each mode runs in its own child process so that one's heap does not count in the other's RSS.
//
//   npx tsx bench/export.ts [--cases=10000] [--heap-limit=MB]
//
// --heap-limit runs the streamed export once more with V8's old space capped at that size: it
// completes only if the rows are not kept (the in-memory build is not run under the cap).
import { fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { streamCases } from '../db/case-list.js';
import { openDatabase } from '../db/connect.js';
import { messages } from '../i18n/index.js';
import { xlsxStream, type SheetColumn } from '../server/features/cases/list/xlsx.js';
import type { CaseListRow } from '../db/case-list.js';
import { seedCases } from './case-seed.js';
import { EVERY_SPACE } from '../db/staff-access.js';

const SELF = fileURLToPath(import.meta.url);
type Mode = 'stream' | 'memory';

interface Result {
  mode: Mode;
  rows: number;
  ms: number;
  rssBeforeMb: number;
  rssPeakGrowthMb: number;
  heapPeakMb: number;
  bytes: number;
}

const t = messages('fr');
const columns: Array<SheetColumn<CaseListRow>> = [
  { header: t.caseList.colNumber, width: 22, value: (r) => r.number },
  { header: t.caseList.colTitle, width: 40, value: (r) => r.title },
  { header: t.caseList.colClient, width: 26, value: (r) => r.clientName },
  { header: t.caseList.colEmail, width: 30, value: (r) => r.clientEmail },
  { header: t.caseList.colSpace, width: 22, value: (r) => r.spaceName },
  { header: t.caseList.colState, width: 18, value: (r) => t.documents.caseStatus[r.status] },
  { header: t.caseList.colPayment, width: 12, value: (r) => t.caseList.paymentState[r.paymentState] },
  {
    header: t.caseList.colAmount,
    width: 14,
    numFmt: '#,##0.00',
    value: (r) => (r.paymentAmountCents === null ? null : r.paymentAmountCents / 100),
  },
  { header: t.caseList.colAssignee, width: 24, value: (r) => r.assigneeName ?? '' },
  { header: t.caseList.colCreated, width: 18, numFmt: 'dd/mm/yyyy hh:mm', value: (r) => r.createdAt },
];

async function child(mode: Mode, url: string, file: string): Promise<void> {
  const database = await openDatabase({ url, poolSize: 2 });
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  let heapPeak = 0;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    rssPeak = Math.max(rssPeak, m.rss);
    heapPeak = Math.max(heapPeak, m.heapUsed);
  }, 5);
  const t0 = performance.now();
  let rows = 0;
  if (mode === 'stream') {
    await pipeline(
      xlsxStream('Dossiers', columns, streamCases(database.db, { scope: EVERY_SPACE, terms: [] }), {
        done: (n) => (rows = n),
      }),
      createWriteStream(file),
    );
  } else {
    const all: CaseListRow[] = [];
    for await (const batch of streamCases(database.db, { scope: EVERY_SPACE, terms: [] }, 100_000)) all.push(...batch);
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Dossiers');
    sheet.columns = columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width }));
    for (const r of all) sheet.addRow(columns.map((c) => c.value(r)));
    rows = all.length;
    await writeFile(file, Buffer.from(await book.xlsx.writeBuffer()));
  }
  const ms = performance.now() - t0;
  clearInterval(sample);
  const m = process.memoryUsage();
  rssPeak = Math.max(rssPeak, m.rss);
  await database.close();
  const result: Result = {
    mode,
    rows,
    ms,
    rssBeforeMb: rssBefore / 2 ** 20,
    rssPeakGrowthMb: (rssPeak - rssBefore) / 2 ** 20,
    heapPeakMb: Math.max(heapPeak, m.heapUsed) / 2 ** 20,
    bytes: (await stat(file)).size,
  };
  process.send?.(result);
}

function runChild(mode: Mode, url: string, file: string, heapLimitMb?: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const execArgv = [
      ...process.execArgv,
      '--expose-gc',
      ...(heapLimitMb ? [`--max-old-space-size=${heapLimitMb}`] : []),
    ];
    const proc = fork(SELF, [], {
      env: { ...process.env, BENCH_EXPORT_CHILD: JSON.stringify({ mode, url, file }) },
      execArgv,
    });
    let result: Result | undefined;
    proc.on('message', (m) => (result = m as Result));
    proc.on('error', reject);
    proc.on('exit', (code) =>
      result && code === 0 ? resolve(result) : reject(new Error(`${mode} child exited with ${code}`)),
    );
  });
}

const role = process.env.BENCH_EXPORT_CHILD;
if (role) {
  const { mode, url, file } = JSON.parse(role) as { mode: Mode; url: string; file: string };
  await child(mode, url, file);
} else {
  const arg = process.argv.find((a) => a.startsWith('--cases='));
  const cases = arg ? Number(arg.split('=')[1]) : 10_000;
  const seeded = await seedCases(cases);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-export-'));
  try {
    console.log(`export of ${cases} cases to .xlsx (PostgreSQL, ${os.cpus().length} CPUs, Node ${process.version})`);
    console.log('| mode | rows | time | rows/s | RSS growth (peak) | heap peak | file |');
    console.log('|---|---|---|---|---|---|---|');
    const limitArg = process.argv.find((a) => a.startsWith('--heap-limit='));
    const heapLimit = limitArg ? Number(limitArg.split('=')[1]) : undefined;
    const runs: Array<[Mode, number | undefined]> = [
      ['stream', undefined],
      ['memory', undefined],
      ['stream', undefined],
      ...(heapLimit ? [['stream', heapLimit] as [Mode, number]] : []),
    ];
    for (const [mode, limit] of runs) {
      const r = await runChild(mode, seeded.url, path.join(dir, `${mode}.xlsx`), limit);
      const label =
        mode === 'stream'
          ? `streamed (the route)${limit ? `, old space capped at ${limit} MB` : ''}`
          : 'in memory (contrast)';
      console.log(
        `| ${label} | ${r.rows} | ${(r.ms / 1000).toFixed(2)} s | ${Math.round(r.rows / (r.ms / 1000))} | ${r.rssPeakGrowthMb.toFixed(1)} MB | ${r.heapPeakMb.toFixed(1)} MB | ${(r.bytes / 2 ** 20).toFixed(2)} MB |`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await seeded.drop();
  }
}
