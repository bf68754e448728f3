// The consultation stamp: on every page (pdftoppm shows its red pixels, across the middle of
// each page whatever its size, crop box or rotation), the original text still there for
// pdftotext, the input untouched, and encrypted or unreadable PDFs refused, never passed on.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WatermarkError, stampForConsultation } from '../../app/watermark.js';
import { makeReport, pdfText, renderPages, run, type RenderedPage } from '../helpers/pdf.js';

/** Pixels of the stamp's red (over white or the grey text). */
function stampPixels(page: RenderedPage, area?: { x0: number; x1: number; y0: number; y1: number }): number {
  let count = 0;
  const { x0 = 0, x1 = page.width, y0 = 0, y1 = page.height } = area ?? {};
  for (let y = Math.floor(y0); y < y1; y++) {
    for (let x = Math.floor(x0); x < x1; x++) {
      const i = (y * page.width + x) * 3;
      const [r, g, b] = [page.pixels[i]!, page.pixels[i + 1]!, page.pixels[i + 2]!];
      if (r - g > 40 && r - b > 40) count++;
    }
  }
  return count;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('consultation watermark', () => {
  it('stamps every page of a multi-page PDF and keeps its text layer', async () => {
    const original = await makeReport(6, { rotateEvery: 5 });
    const before = sha(original);
    const stamped = await stampForConsultation(original);
    expect(sha(original)).toBe(before);

    const plain = await renderPages(original);
    const pages = await renderPages(stamped);
    expect(pages).toHaveLength(6);
    for (const [i, page] of pages.entries()) {
      expect(stampPixels(plain[i]!), `page ${i + 1} before`).toBe(0);
      // Plenty of red, and some of it in the middle of the page as the reader sees it.
      expect(stampPixels(page), `page ${i + 1}`).toBeGreaterThan(300);
      const middle = { x0: page.width * 0.4, x1: page.width * 0.6, y0: page.height * 0.4, y1: page.height * 0.6 };
      expect(stampPixels(page, middle), `page ${i + 1} middle`).toBeGreaterThan(20);
      // The stamp is a rising diagonal: red in the lower-left and the upper-right quarters.
      expect(
        stampPixels(page, { x0: page.width * 0.1, x1: page.width * 0.4, y0: page.height * 0.6, y1: page.height * 0.9 }),
        `page ${i + 1} lower left`,
      ).toBeGreaterThan(10);
      expect(
        stampPixels(page, { x0: page.width * 0.6, x1: page.width * 0.9, y0: page.height * 0.1, y1: page.height * 0.4 }),
        `page ${i + 1} upper right`,
      ).toBeGreaterThan(10);
    }

    const text = await pdfText(stamped);
    for (let i = 1; i <= 6; i++) expect(text).toContain(`Rapport de diagnostic page ${i}`);
    expect(text).toContain('mesure conforme, aucune anomalie relevée');
    // The stamp is text too (diagonal, so pdftotext splits it into pieces).
    expect(text).toMatch(/CO\s*NS/);
  });

  it('refuses encrypted PDFs (with or without a user password) and unreadable ones', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-wm-'));
    try {
      await writeFile(path.join(dir, 'in.pdf'), await makeReport(2));
      await run('qpdf', [
        '--encrypt',
        'secret-user',
        'secret-owner',
        '256',
        '--',
        path.join(dir, 'in.pdf'),
        path.join(dir, 'locked.pdf'),
      ]);
      await run('qpdf', [
        '--encrypt',
        '',
        'secret-owner',
        '256',
        '--print=none',
        '--',
        path.join(dir, 'in.pdf'),
        path.join(dir, 'restricted.pdf'),
      ]);
      for (const name of ['locked.pdf', 'restricted.pdf']) {
        const error = await stampForConsultation(await readFile(path.join(dir, name))).catch((e: unknown) => e);
        expect(error, name).toBeInstanceOf(WatermarkError);
        expect((error as WatermarkError).code, name).toBe('encrypted');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const garbage = await stampForConsultation(Buffer.from('this is not a PDF at all')).catch((e: unknown) => e);
    expect(garbage).toBeInstanceOf(WatermarkError);
    expect((garbage as WatermarkError).code).toBe('unreadable');
  });
});
