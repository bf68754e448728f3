// The notification preferences' schemas: every choice read, the phone number to E.164 or refused
// with the reason in French and English, SMS for each answer needing a number, the 6-digit code;
// and the confirmation SMS itself, which must stay one GSM-7 SMS in both languages.
import { describe, expect, it } from 'vitest';
import { messages } from '../../../i18n/index.js';
import { parseForm } from '../../../server/forms.js';
import { codeSchema, preferencesSchema } from '../../../server/features/notification-preferences/forms.js';
import { smsSegments } from '../../../domain/sms-segments.js';
import { PHONE_CODE_MINUTES } from '../../../app/phone-confirmation.js';

const fr = messages('fr');
const en = messages('en');
const base = { emailMode: 'each', smsMode: 'none', phone: '', locale: 'fr' };

describe('notification preferences form', () => {
  it('reads every choice and the number as E.164', () => {
    expect(parseForm(preferencesSchema(fr), { ...base, emailMode: 'daily', locale: 'en' })).toEqual({
      ok: true,
      values: { emailMode: 'daily', smsMode: 'none', phone: null, locale: 'en' },
    });
    expect(parseForm(preferencesSchema(fr), { ...base, smsMode: 'each', phone: '06 12 34 56 78' })).toEqual({
      ok: true,
      values: { emailMode: 'each', smsMode: 'each', phone: '+33612345678', locale: 'fr' },
    });
    expect(parseForm(preferencesSchema(fr), { ...base, phone: '+32 470 12 34 56' })).toMatchObject({
      ok: true,
      values: { phone: '+32470123456', smsMode: 'none' },
    });
  });

  it('refuses each bad field with its own message, in French and English', () => {
    const refused = (t: typeof fr, body: Record<string, unknown>) => {
      const parsed = parseForm(preferencesSchema(t), body);
      if (parsed.ok) throw new Error(`accepted ${JSON.stringify(body)}`);
      return parsed.errors;
    };
    expect(refused(fr, { ...base, emailMode: 'weekly', smsMode: 'x', locale: 'de' })).toEqual([
      fr.preferences.errors.emailMode,
      fr.preferences.errors.smsMode,
      fr.preferences.errors.locale,
    ]);
    expect(refused(en, { ...base, smsMode: 'each' })).toEqual([en.preferences.errors.phoneRequired]);
    expect(refused(fr, { ...base, phone: '01 23 45 67 89' })).toEqual([fr.preferences.errors.phoneNotMobile]);
    expect(refused(en, { ...base, phone: '06 12' })).toEqual([en.preferences.errors.phoneShape]);
    expect(refused(fr, { ...base, phone: '06 12 34 56 78 poste 3' })).toEqual([fr.preferences.errors.phoneCharacters]);
    expect(refused(fr, { ...base, phone: '0'.repeat(41) })).toEqual([fr.preferences.errors.phoneTooLong]);
    // A field that is not text (a repeated field, an object) is no choice.
    expect(refused(fr, { ...base, emailMode: ['each', 'none'] })).toEqual([fr.preferences.errors.emailMode]);
    expect(fr.preferences.errors.phoneNotMobile).not.toBe(en.preferences.errors.phoneNotMobile);
  });

  it('reads the 6-digit code, spaces allowed, and refuses anything else', () => {
    expect(parseForm(codeSchema(fr), { code: ' 012 345 ' })).toEqual({ ok: true, values: { code: '012345' } });
    for (const code of ['12345', '1234567', '12a456', '', '１２３４５６'])
      expect(parseForm(codeSchema(en), { code }), code).toEqual({
        ok: false,
        errors: [en.preferences.errors.codeFormat],
      });
  });

  it('sends a confirmation SMS that stays one GSM-7 SMS in both languages', () => {
    for (const t of [fr, en]) {
      const text = t.preferences.smsCode('012345', PHONE_CODE_MINUTES);
      expect(text).toContain('012345');
      expect(smsSegments(text), text).toMatchObject({ encoding: 'gsm7', parts: 1 });
    }
  });
});
