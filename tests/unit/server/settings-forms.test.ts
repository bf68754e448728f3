// The settings form's schema: what it accepts, and each refusal in French and English.
import { describe, expect, it } from 'vitest';
import { messages } from '../../../i18n/index.js';
import { parseForm } from '../../../server/forms.js';
import { settingsSchema } from '../../../server/features/settings/forms.js';

const fr = messages('fr');
const en = messages('en');

describe('settings form', () => {
  it('reads the colour in lower case, the rows as a number and the ticked languages', () => {
    expect(
      parseForm(settingsSchema(fr), {
        primaryColor: ' #0B5CAB ',
        rowsPerPage: ' 50 ',
        locale_en: 'on',
        removeLogo: 'on',
      }),
    ).toEqual({ ok: true, values: { primaryColor: '#0b5cab', rowsPerPage: 50, locales: ['en'], removeLogo: true } });
    expect(
      parseForm(settingsSchema(fr), { primaryColor: '#000000', rowsPerPage: '10', locale_fr: 'on', locale_en: 'on' }),
    ).toEqual({
      ok: true,
      values: { primaryColor: '#000000', rowsPerPage: 10, locales: ['fr', 'en'], removeLogo: false },
    });
  });

  it('lists every problem once, in the order of the fields, in either language', () => {
    for (const t of [fr, en]) {
      expect(parseForm(settingsSchema(t), { primaryColor: 'blue', rowsPerPage: '9' })).toEqual({
        ok: false,
        errors: [t.settings.colorInvalid, t.settings.rowsInvalid, t.settings.localesInvalid],
      });
    }
    expect(fr.settings.rowsInvalid).not.toBe(en.settings.rowsInvalid);
  });

  it('refuses rows per page outside 10 to 350 or not a whole number', () => {
    for (const rows of ['351', '12.5', '', 'x', '00009'])
      expect(parseForm(settingsSchema(en), { primaryColor: '#ffffff', rowsPerPage: rows, locale_fr: 'on' })).toEqual({
        ok: false,
        errors: [en.settings.rowsInvalid],
      });
  });
});
