// The unpaid-cases mode is one setting for the whole installation, and test files share the
// run's database and run side by side: a test that depends on the mode holds a PostgreSQL
// advisory lock (on its own connection) while it sets the mode and downloads, then puts it back.
import pg from 'pg';
import { inject } from 'vitest';
import type { Db } from '../../db/connect.js';
import { setUnpaidMode } from '../../db/case-record.js';
import type { UnpaidMode } from '../../domain/downloads.js';
import type { RenderedPage } from './pdf.js';

const LOCK_KEY = 7_240_012;

export async function withUnpaidMode<T>(db: Db, mode: UnpaidMode, run: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      await setUnpaidMode(db, mode);
      return await run();
    } finally {
      await setUnpaidMode(db, 'off');
      await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

/** Pixels of the consultation stamp's red in a page rendered by pdftoppm (as tests/server/watermark.test.ts counts them). */
export function stampPixels(page: RenderedPage): number {
  let count = 0;
  for (let i = 0; i + 2 < page.pixels.length; i += 3) {
    const [r, g, b] = [page.pixels[i]!, page.pixels[i + 1]!, page.pixels[i + 2]!];
    if (r - g > 40 && r - b > 40) count++;
  }
  return count;
}
