// Phone numbers a client types for SMS: French mobiles in every usual spelling become E.164,
// foreign numbers are kept with their country code, and what is not a number is refused with the
// reason the page will say.
import { describe, expect, it } from 'vitest';
import { displayPhone, maskPhone, normalisePhone } from '../../../domain/phone.js';

describe('phone numbers to E.164', () => {
  it('reads French mobiles however they are written', () => {
    for (const typed of [
      '06 12 34 56 78',
      '0612345678',
      '06.12.34.56.78',
      '06-12-34-56-78',
      '+33 6 12 34 56 78',
      '+33612345678',
      '0033 6 12 34 56 78',
      '+33 (0)6 12 34 56 78',
      ' 06\u00a012\u00a034\u00a056\u00a078 ',
    ])
      expect(normalisePhone(typed), typed).toEqual({ ok: true, e164: '+33612345678' });
    expect(normalisePhone('07 81 00 00 01')).toEqual({ ok: true, e164: '+33781000001' });
  });

  it('keeps foreign numbers with their country code', () => {
    expect(normalisePhone('+32 470 12 34 56')).toEqual({ ok: true, e164: '+32470123456' });
    expect(normalisePhone('0044 7700 900123')).toEqual({ ok: true, e164: '+447700900123' });
    expect(normalisePhone('+1 (415) 555-0100')).toEqual({ ok: true, e164: '+14155550100' });
  });

  it('refuses what is not a mobile number, saying why', () => {
    expect(normalisePhone('  ')).toEqual({ ok: false, problem: 'empty' });
    expect(normalisePhone('06 12 AB 56 78')).toEqual({ ok: false, problem: 'characters' });
    expect(normalisePhone('+33 6 12 34 56 78 ext 2')).toEqual({ ok: false, problem: 'characters' });
    expect(normalisePhone('01 23 45 67 89')).toEqual({ ok: false, problem: 'not-mobile' });
    expect(normalisePhone('+33 1 23 45 67 89')).toEqual({ ok: false, problem: 'not-mobile' });
    expect(normalisePhone('06 12 34 56')).toEqual({ ok: false, problem: 'shape' });
    expect(normalisePhone('+33 6 12 34 56 78 9')).toEqual({ ok: false, problem: 'shape' });
    expect(normalisePhone('612345678')).toEqual({ ok: false, problem: 'shape' });
    expect(normalisePhone('+0612345678')).toEqual({ ok: false, problem: 'shape' });
    expect(normalisePhone('+1234567890123456')).toEqual({ ok: false, problem: 'shape' });
    expect(normalisePhone('+12')).toEqual({ ok: false, problem: 'shape' });
  });

  it('shows French numbers the French way and masks numbers for logs', () => {
    expect(displayPhone('+33612345678')).toBe('+33 6 12 34 56 78');
    expect(displayPhone('+32470123456')).toBe('+32470123456');
    expect(maskPhone('+33612345678')).toBe('+33…78');
  });
});
