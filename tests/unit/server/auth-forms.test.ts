// The sign-in forms' schemas: credentials as typed (the e-mail trimmed), the password request's
// address refused with the visitor's language.
import { describe, expect, it } from 'vitest';
import { messages } from '../../../i18n/index.js';
import { parseForm, typedForm } from '../../../server/forms.js';
import {
  PASSWORD_REQUEST_FIELDS,
  SIGN_IN_FIELDS,
  passwordRequestSchema,
  signInSchema,
} from '../../../server/features/auth/forms.js';

describe('sign-in form', () => {
  it('trims the e-mail and keeps the password as typed', () => {
    const body = { email: '  a@x.fr ', password: ' secret ' };
    expect(parseForm(signInSchema, typedForm(body, SIGN_IN_FIELDS))).toEqual({
      ok: true,
      values: { email: 'a@x.fr', password: ' secret ' },
    });
  });

  it('gives empty strings for missing fields (the sign-in is then refused, not the form)', () => {
    expect(parseForm(signInSchema, typedForm({ email: 42 }, SIGN_IN_FIELDS))).toEqual({
      ok: true,
      values: { email: '', password: '' },
    });
  });
});

describe('password request form', () => {
  it('gives the trimmed address', () => {
    const parsed = parseForm(
      passwordRequestSchema(messages('fr')),
      typedForm({ email: ' a@x.fr ' }, PASSWORD_REQUEST_FIELDS),
    );
    expect(parsed).toEqual({ ok: true, values: { email: 'a@x.fr' } });
  });

  it('refuses a malformed or missing address in French and English', () => {
    const fr = parseForm(
      passwordRequestSchema(messages('fr')),
      typedForm({ email: 'pas-une-adresse' }, PASSWORD_REQUEST_FIELDS),
    );
    expect(fr).toEqual({ ok: false, errors: ['Cette adresse e-mail n’est pas valide.'] });
    const en = parseForm(passwordRequestSchema(messages('en')), typedForm({}, PASSWORD_REQUEST_FIELDS));
    expect(en).toEqual({ ok: false, errors: ['This e-mail address is not valid.'] });
  });
});
