// Amounts typed the French way on the case record: read into cents, refused when they are not an
// amount or too large, shown back as staff type them and as clients read them.
import { describe, expect, it } from 'vitest';
import { AMOUNT_MAX_CENTS, formatEuros, parseEuroAmount, typedAmount } from '../../../domain/case-record.js';

describe('amounts typed the French way', () => {
  it('reads "1 234,50" and its variants, refuses what is not an amount', () => {
    expect(parseEuroAmount('1 234,50')).toEqual({ ok: true, cents: 123450 });
    expect(parseEuroAmount('1\u202f234,5 €')).toEqual({ ok: true, cents: 123450 });
    expect(parseEuroAmount('1.234,50')).toEqual({ ok: true, cents: 123450 });
    expect(parseEuroAmount('1234.50')).toEqual({ ok: true, cents: 123450 });
    expect(parseEuroAmount('1234')).toEqual({ ok: true, cents: 123400 });
    expect(parseEuroAmount('  ')).toEqual({ ok: true, cents: null });
    for (const bad of ['-12', '12,345', '1 23,00', 'douze', '12,', '1,2,3', '0x10', '1e5'])
      expect(parseEuroAmount(bad), bad).toEqual({ ok: false, reason: 'format' });
    expect(parseEuroAmount('10 000 000,01')).toEqual({ ok: false, reason: 'too_large' });
    expect(parseEuroAmount('999999999999999')).toEqual({ ok: false, reason: 'too_large' });
  });
});

describe('amounts shown back', () => {
  it('gives the amount as staff type it, and as clients read it in their language', () => {
    expect(typedAmount(null)).toBe('');
    expect(typedAmount(123450)).toBe('1 234,50');
    expect(parseEuroAmount(typedAmount(123450))).toEqual({ ok: true, cents: 123450 });
    expect(formatEuros(123450, 'fr').replace(/[\u00a0\u202f]/g, ' ')).toBe('1 234,50 €');
    expect(formatEuros(123450, 'en')).toBe('€1,234.50');
    expect(parseEuroAmount(typedAmount(AMOUNT_MAX_CENTS))).toEqual({ ok: true, cents: AMOUNT_MAX_CENTS });
  });
});
