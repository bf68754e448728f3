// Excel workbooks streamed to the response as their rows are read (exceljs's streaming writer):
// one sheet, a bold frozen header, each row committed (and so released) as soon as it is added.
// The whole file is never held in memory, whatever the number of rows.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';

export type CellValue = string | number | Date | null;

export interface SheetColumn<R> {
  header: string;
  width: number;
  value: (row: R) => CellValue;
  /** Excel number format: dates, amounts. */
  numFmt?: string;
}

export const DATE_FORMAT = 'dd/mm/yyyy hh:mm';
export const AMOUNT_FORMAT = '#,##0.00';
/** Excel refuses longer cells. */
const CELL_MAX = 32_767;
// Characters XML 1.0 cannot carry: a message holding one would make the whole file unreadable.
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

const parisParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Excel dates have no time zone: staff read Paris time, so the cell holds Paris wall-clock time. */
export function parisWallClock(date: Date): Date {
  const p: Record<string, number> = {};
  for (const part of parisParts.formatToParts(date)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return new Date(Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0));
}

function cell(value: CellValue): CellValue {
  if (typeof value === 'string') return value.replace(XML_INVALID, '').slice(0, CELL_MAX);
  if (value instanceof Date) return parisWallClock(value);
  return value;
}

/**
 * The workbook as a stream to send. Rows come in batches; between batches the writer waits while
 * the client is slower than the database. `done` is told how many rows were written; a failure
 * midway destroys the stream (the client sees a broken download, never a truncated valid file).
 */
export function xlsxStream<R>(
  sheetName: string,
  columns: ReadonlyArray<SheetColumn<R>>,
  batches: AsyncIterable<R[]>,
  events: { done?: (rows: number) => void; failed?: (err: unknown) => void } = {},
): PassThrough {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c, i) => ({
    header: c.header,
    key: `c${i}`,
    width: c.width,
    ...(c.numFmt ? { style: { numFmt: c.numFmt } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  const write = async () => {
    let rows = 0;
    for await (const batch of batches) {
      if (out.destroyed) return;
      for (const row of batch) {
        sheet.addRow(columns.map((c) => cell(c.value(row)))).commit();
        rows++;
      }
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    sheet.commit();
    await workbook.commit();
    events.done?.(rows);
  };
  write().catch((err: unknown) => {
    events.failed?.(err);
    out.destroy(err instanceof Error ? err : new Error(String(err)));
  });
  return out;
}
