// SMS segments counted as networks count them: GSM-7 160 / 153 per concatenated part, UCS-2 70 / 67,
// the GSM-7 extension characters taking two places, and texts capped to a number of parts.
import { describe, expect, it } from 'vitest';
import { capSms, smsEncoding, smsSegments } from '../../../domain/sms-segments.js';

describe('SMS segments', () => {
  it('counts GSM-7 texts: 160 in one SMS, 153 per part beyond', () => {
    expect(smsSegments('')).toEqual({ encoding: 'gsm7', units: 0, parts: 1, remaining: 160 });
    expect(smsSegments('a'.repeat(160))).toMatchObject({ encoding: 'gsm7', units: 160, parts: 1, remaining: 0 });
    expect(smsSegments('a'.repeat(161))).toMatchObject({ parts: 2, remaining: 306 - 161 });
    expect(smsSegments('a'.repeat(306))).toMatchObject({ parts: 2, remaining: 0 });
    expect(smsSegments('a'.repeat(307))).toMatchObject({ parts: 3 });
    // French accents of the basic table stay GSM-7.
    expect(smsEncoding('Réponse à votre demande : équipe, où, ù, è, à, Ç')).toBe('gsm7');
  });

  it('counts the extension characters twice', () => {
    expect(smsSegments('€')).toMatchObject({ encoding: 'gsm7', units: 2 });
    expect(smsSegments('[]{}\\~^|€')).toMatchObject({ units: 18 });
    expect(smsSegments('€'.repeat(80))).toMatchObject({ units: 160, parts: 1 });
    expect(smsSegments('€'.repeat(80) + 'a')).toMatchObject({ units: 161, parts: 2 });
  });

  it('moves the whole text to UCS-2 for any other character: 70, then 67 per part', () => {
    expect(smsEncoding('Dossier ê')).toBe('ucs2');
    expect(smsEncoding('’')).toBe('ucs2');
    expect(smsSegments('ê'.repeat(70))).toMatchObject({ encoding: 'ucs2', units: 70, parts: 1, remaining: 0 });
    expect(smsSegments('ê'.repeat(71))).toMatchObject({ parts: 2, remaining: 134 - 71 });
    expect(smsSegments('ê'.repeat(135))).toMatchObject({ parts: 3 });
    // An emoji outside the BMP takes two UTF-16 units.
    expect(smsSegments('😀')).toMatchObject({ encoding: 'ucs2', units: 2 });
  });

  it('caps a text to fit, with an ellipsis in its own encoding, never splitting a character', () => {
    const short = 'Nouvelle réponse';
    expect(capSms(short)).toBe(short);
    const long = capSms('a'.repeat(200));
    expect(long).toBe(`${'a'.repeat(157)}...`);
    expect(smsSegments(long).parts).toBe(1);
    const unicode = capSms('ê'.repeat(100));
    expect(unicode).toBe(`${'ê'.repeat(69)}…`);
    expect(smsSegments(unicode).parts).toBe(1);
    const emoji = capSms('😀'.repeat(40));
    expect(smsSegments(emoji)).toMatchObject({ parts: 1 });
    expect(emoji).toBe(`${'😀'.repeat(34)}…`);
    const extension = capSms('€'.repeat(100));
    expect(extension).toBe(`${'€'.repeat(78)}...`);
    expect(smsSegments(capSms('a'.repeat(400), 2))).toMatchObject({ parts: 2, remaining: 0 });
  });
});
