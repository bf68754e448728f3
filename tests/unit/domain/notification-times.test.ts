// The Paris-time rules of answer notifications: SMS in the daytime only, the daily summary at 18:00,
// across daylight saving changes.
import { describe, expect, it } from 'vitest';
import { nextDailySummaryAt, nextSmsAllowedAt } from '../../../domain/notification-times.js';

const at = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();

describe('nextSmsAllowedAt', () => {
  it('is now in the Paris daytime', () => {
    expect(iso(nextSmsAllowedAt(at('2026-12-07T07:00:00Z')))).toBe('2026-12-07T07:00:00.000Z'); // 8:00 Paris
    expect(iso(nextSmsAllowedAt(at('2026-12-07T18:59:59Z')))).toBe('2026-12-07T18:59:59.000Z'); // 19:59:59
  });

  it('waits from 20:00 until 8:00 the next morning, in winter and in summer', () => {
    expect(iso(nextSmsAllowedAt(at('2026-12-07T19:00:00Z')))).toBe('2026-12-08T07:00:00.000Z');
    expect(iso(nextSmsAllowedAt(at('2026-12-07T23:30:00Z')))).toBe('2026-12-08T07:00:00.000Z'); // 0:30 Paris
    expect(iso(nextSmsAllowedAt(at('2026-12-08T06:59:00Z')))).toBe('2026-12-08T07:00:00.000Z');
    expect(iso(nextSmsAllowedAt(at('2026-07-01T18:30:00Z')))).toBe('2026-07-02T06:00:00.000Z'); // 20:30 CEST
  });

  it('keeps 8:00 local across the spring and autumn changes', () => {
    // 28-29 March 2026: clocks go forward in the night.
    expect(iso(nextSmsAllowedAt(at('2026-03-28T20:00:00Z')))).toBe('2026-03-29T06:00:00.000Z');
    // 24-25 October 2026: clocks go back in the night.
    expect(iso(nextSmsAllowedAt(at('2026-10-24T19:00:00Z')))).toBe('2026-10-25T07:00:00.000Z');
  });

  it('rolls over the end of a month and a year', () => {
    expect(iso(nextSmsAllowedAt(at('2026-12-31T20:00:00Z')))).toBe('2027-01-01T07:00:00.000Z');
  });
});

describe('nextDailySummaryAt', () => {
  it('is today at 18:00 Paris before it, tomorrow from it', () => {
    expect(iso(nextDailySummaryAt(at('2026-12-07T09:00:00Z')))).toBe('2026-12-07T17:00:00.000Z');
    expect(iso(nextDailySummaryAt(at('2026-12-07T17:00:00Z')))).toBe('2026-12-08T17:00:00.000Z');
    expect(iso(nextDailySummaryAt(at('2026-07-01T17:00:00Z')))).toBe('2026-07-02T16:00:00.000Z');
  });

  it('is 18:00 local on the day clocks change', () => {
    expect(iso(nextDailySummaryAt(at('2026-03-29T01:00:00Z')))).toBe('2026-03-29T16:00:00.000Z');
    expect(iso(nextDailySummaryAt(at('2026-10-25T01:00:00Z')))).toBe('2026-10-25T17:00:00.000Z');
  });
});
