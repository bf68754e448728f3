// The client space's form schemas: a new conversation and a reply give the same values and the
// same messages, in the same order, as the domain's rules (domain/validation.ts), in French and English.
import { describe, expect, it } from 'vitest';
import { messages } from '../../../i18n/index.js';
import { parseForm, typedForm } from '../../../server/forms.js';
import {
  COMPOSE_FIELDS,
  REPLY_FIELDS,
  composeSchema,
  replySchema,
} from '../../../server/features/client-space/forms.js';

const fr = messages('fr');
const en = messages('en');
const SPACES = ['space-a', 'space-b'];
const compose = (body: Record<string, unknown>, t = fr) =>
  parseForm(composeSchema(t, SPACES), typedForm(body, COMPOSE_FIELDS));

describe('compose form', () => {
  it('gives the trimmed subject, the normalised body and copies', () => {
    const parsed = compose({
      spaceId: 'space-b',
      subject: '  Fuite  ',
      body: ' Ligne 1\r\nLigne 2 ',
      cc: 'A@X.fr; b@y.fr, a@x.fr',
    });
    expect(parsed).toEqual({
      ok: true,
      values: { spaceId: 'space-b', subject: 'Fuite', body: 'Ligne 1\nLigne 2', cc: 'a@x.fr, b@y.fr' },
    });
  });

  it('accepts a form without copies', () => {
    const parsed = compose({ spaceId: 'space-a', subject: 'Objet', body: 'Texte' });
    expect(parsed).toEqual({ ok: true, values: { spaceId: 'space-a', subject: 'Objet', body: 'Texte', cc: '' } });
  });

  it('lists every problem in field order, in French', () => {
    const parsed = compose({ spaceId: 'other', subject: ' ', body: '', cc: 'nope, ok@x.fr, bad' });
    expect(parsed).toEqual({
      ok: false,
      errors: [
        fr.errors.spaceInvalid,
        fr.errors.subjectRequired,
        fr.errors.bodyRequired,
        fr.errors.ccInvalid('nope, bad'),
      ],
    });
    expect(parsed.ok ? [] : parsed.errors[1]).toBe('Merci d’indiquer l’objet de votre message.');
  });

  it('lists every problem in field order, in English', () => {
    const parsed = compose({}, en);
    expect(parsed).toEqual({
      ok: false,
      errors: [en.errors.spaceInvalid, en.errors.subjectRequired, en.errors.bodyRequired],
    });
    expect(parsed.ok ? [] : parsed.errors[0]).toBe('Please choose the department.');
  });

  it('refuses a subject or a body that is too long, and more than ten copies', () => {
    const cc = Array.from({ length: 11 }, (_, i) => `c${i}@x.fr`).join(', ');
    const parsed = compose({ spaceId: 'space-a', subject: 's'.repeat(201), body: 'b'.repeat(20_001), cc }, en);
    expect(parsed).toEqual({
      ok: false,
      errors: [en.errors.subjectTooLong, en.errors.bodyTooLong, en.errors.ccInvalid('c10@x.fr')],
    });
  });
});

describe('reply form', () => {
  it('gives the normalised body', () => {
    expect(parseForm(replySchema(fr), typedForm({ body: ' Merci\r\n ' }, REPLY_FIELDS))).toEqual({
      ok: true,
      values: { body: 'Merci' },
    });
  });

  it('refuses an empty body in French and English', () => {
    expect(parseForm(replySchema(fr), typedForm({}, REPLY_FIELDS))).toEqual({
      ok: false,
      errors: ['Merci d’écrire votre message.'],
    });
    expect(parseForm(replySchema(en), typedForm({ body: '  ' }, REPLY_FIELDS))).toEqual({
      ok: false,
      errors: ['Please write your message.'],
    });
  });
});
