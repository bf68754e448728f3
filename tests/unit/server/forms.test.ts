// The form kit every feature parses its forms with: a missing field reads as '', each problem is
// listed once in field order, and a localized schema is built once per catalogue.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { messages } from '../../../i18n/index.js';
import { localized, parseForm, text, typedForm } from '../../../server/forms.js';

describe('form parsing', () => {
  const schema = z.object({
    name: text.pipe(z.string().trim().min(1, 'name required')),
    city: text.pipe(z.string().trim().min(1, 'city required')),
    again: text.pipe(z.string().trim().min(1, 'name required')),
  });

  it('reads a missing or non-text field as an empty string', () => {
    expect(parseForm(z.object({ a: text, b: text, c: text }), { a: 'x', c: ['y'] })).toEqual({
      ok: true,
      values: { a: 'x', b: '', c: '' },
    });
  });

  it('lists every problem once, in the order of the fields', () => {
    expect(parseForm(schema, { name: '  ', city: '' })).toEqual({
      ok: false,
      errors: ['name required', 'city required'],
    });
    expect(parseForm(schema, null)).toEqual({ ok: false, errors: ['name required', 'city required'] });
  });

  it('gives the typed values after their transforms', () => {
    expect(parseForm(schema, { name: ' Marie ', city: 'Lyon', again: 'x' })).toEqual({
      ok: true,
      values: { name: 'Marie', city: 'Lyon', again: 'x' },
    });
  });

  it('keeps what was typed, as strings, to show a refused form again', () => {
    expect(typedForm({ name: ' Marie ', city: 3, extra: 'x' }, ['name', 'city', 'zip'] as const)).toEqual({
      name: ' Marie ',
      city: '',
      zip: '',
    });
    expect(typedForm('name=x', ['name'] as const)).toEqual({ name: '' });
  });

  it('builds a localized schema once per catalogue, with messages in that language', () => {
    let builds = 0;
    const subject = localized((t) => {
      builds++;
      return z.object({ subject: text.pipe(z.string().trim().min(1, t.errors.subjectRequired)) });
    });
    const fr = messages('fr');
    const en = messages('en');
    expect(subject(fr)).toBe(subject(fr));
    expect(builds).toBe(1);
    expect(parseForm(subject(fr), {})).toEqual({ ok: false, errors: [fr.errors.subjectRequired] });
    expect(parseForm(subject(en), {})).toEqual({ ok: false, errors: [en.errors.subjectRequired] });
    expect(fr.errors.subjectRequired).not.toBe(en.errors.subjectRequired);
    expect(builds).toBe(2);
  });
});
