// The download decision (seed 003): unpaid cases give clients a stamped PDF or nothing, staff
// always the original; and every file handed out is an attachment, never cached.
import { describe, expect, it } from 'vitest';
import {
  contentDisposition,
  downloadDecision,
  downloadHeaders,
  isStoredInRedmine,
  isUnpaidMode,
  UNPAID_MODES,
  unpaidRestriction,
  type UnpaidMode,
} from '../../../domain/downloads.js';

const PDF = 'application/pdf';
const PNG = 'image/png';

describe('unpaid modes', () => {
  it('are off, watermark and block', () => {
    expect(UNPAID_MODES).toEqual(['off', 'watermark', 'block']);
    for (const mode of UNPAID_MODES) expect(isUnpaidMode(mode)).toBe(true);
    expect(isUnpaidMode('Watermark')).toBe(false);
    expect(isUnpaidMode('')).toBe(false);
    expect(isUnpaidMode(undefined)).toBe(false);
    expect(isUnpaidMode(['block'])).toBe(false);
  });
});

describe('unpaidRestriction', () => {
  it('restricts only unpaid cases of clients who are not exempt, as the mode says', () => {
    const restriction = (mode: UnpaidMode, paymentState: 'paid' | 'unpaid', exempt: boolean) =>
      unpaidRestriction({ mode, paymentState, exempt });
    expect(restriction('watermark', 'unpaid', false)).toBe('watermark');
    expect(restriction('block', 'unpaid', false)).toBe('block');
    expect(restriction('off', 'unpaid', false)).toBe('none');
    expect(restriction('block', 'paid', false)).toBe('none');
    expect(restriction('watermark', 'paid', false)).toBe('none');
    expect(restriction('block', 'unpaid', true)).toBe('none');
    expect(restriction('watermark', 'unpaid', true)).toBe('none');
  });
});

describe('downloadDecision', () => {
  it('gives staff the original, whatever the restriction', () => {
    for (const r of ['none', 'watermark', 'block'] as const) {
      expect(downloadDecision('staff', r, PDF)).toBe('original');
      expect(downloadDecision('staff', r, PNG)).toBe('original');
    }
  });

  it('gives clients the original when nothing is restricted', () => {
    expect(downloadDecision('client', 'none', PDF)).toBe('original');
    expect(downloadDecision('client', 'none', PNG)).toBe('original');
  });

  it('stamps PDFs and refuses any other file in watermark mode', () => {
    expect(downloadDecision('client', 'watermark', PDF)).toBe('stamp');
    expect(downloadDecision('client', 'watermark', PNG)).toBe('block');
    expect(downloadDecision('client', 'watermark', 'image/jpeg')).toBe('block');
  });

  it('refuses every file in block mode', () => {
    expect(downloadDecision('client', 'block', PDF)).toBe('block');
    expect(downloadDecision('client', 'block', PNG)).toBe('block');
  });
});

describe('where a file lives', () => {
  it('files of Redmine notes are read from Redmine', () => {
    expect(isStoredInRedmine('redmine:1234')).toBe(true);
    expect(isStoredInRedmine('2026/12/abcdef')).toBe(false);
    expect(isStoredInRedmine('x-redmine:1')).toBe(false);
  });
});

describe('headers', () => {
  it('names the file in ASCII and in UTF-8, always as an attachment', () => {
    expect(contentDisposition('bail.pdf')).toBe(`attachment; filename="bail.pdf"; filename*=UTF-8''bail.pdf`);
    expect(contentDisposition('Relevé "été" \\ n°1.pdf')).toBe(
      `attachment; filename="Relev_ __t__ _ n_1.pdf"; filename*=UTF-8''Relev%C3%A9%20%22%C3%A9t%C3%A9%22%20%5C%20n%C2%B01.pdf`,
    );
    // No header injection: line breaks never reach the header.
    expect(contentDisposition('a\r\nSet-Cookie: x.pdf')).not.toMatch(/[\r\n]/);
  });

  it('sends every file as a download that is never cached, its length when known', () => {
    expect(downloadHeaders('bail.pdf', 1234)).toEqual([
      ['content-length', 1234],
      ['content-type', 'application/octet-stream'],
      ['content-disposition', contentDisposition('bail.pdf')],
      ['cache-control', 'private, no-store'],
    ]);
    expect(downloadHeaders('bail.pdf', undefined).map(([name]) => name)).toEqual([
      'content-type',
      'content-disposition',
      'cache-control',
    ]);
  });
});
