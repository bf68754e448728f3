// The client record's schemas: a contact checked for its kind, a state, the observation, an
// SMS and the reason for the confidential view, each refusal in French and English.
import { describe, expect, it } from 'vitest';
import { messages } from '../../../i18n/index.js';
import { parseForm } from '../../../server/forms.js';
import {
  contactSchema,
  contactStateSchema,
  letterSchema,
  observationSchema,
  smsSchema,
  typedReason,
  viewReasonSchema,
} from '../../../server/features/client-records/forms.js';

const fr = messages('fr');
const en = messages('en');

describe('client record forms', () => {
  it('normalises a contact for its kind', () => {
    expect(parseForm(contactSchema(fr), { kind: 'email', value: ' Jean@Example.FR ' })).toEqual({
      ok: true,
      values: { kind: 'email', value: 'jean@example.fr' },
    });
    expect(parseForm(contactSchema(fr), { kind: 'phone', value: '06  12 34  56 78' })).toEqual({
      ok: true,
      values: { kind: 'phone', value: '06 12 34 56 78' },
    });
    expect(parseForm(contactSchema(fr), { kind: 'postal', value: '1 rue A\r\n75001 Paris' })).toEqual({
      ok: true,
      values: { kind: 'postal', value: '1 rue A\n75001 Paris' },
    });
  });

  it('refuses a contact with the message of its first problem, in either language', () => {
    for (const t of [fr, en]) {
      const refused = (body: object) => parseForm(contactSchema(t), body);
      expect(refused({ kind: 'fax', value: '' })).toEqual({
        ok: false,
        errors: [t.clients.stateInvalid, t.clients.valueRequired],
      });
      expect(refused({ kind: 'email', value: '  ' })).toEqual({ ok: false, errors: [t.clients.valueRequired] });
      expect(refused({ kind: 'email', value: 'x'.repeat(501) })).toEqual({
        ok: false,
        errors: [t.clients.valueTooLong],
      });
      expect(refused({ kind: 'email', value: 'nope' })).toEqual({ ok: false, errors: [t.clients.emailInvalid] });
      expect(refused({ kind: 'phone', value: 'call me' })).toEqual({ ok: false, errors: [t.clients.phoneInvalid] });
      expect(refused({ kind: 'fax', value: 'nope' })).toEqual({ ok: false, errors: [t.clients.stateInvalid] });
    }
  });

  it('reads a state and its confirmation', () => {
    expect(parseForm(contactStateSchema(en), { state: 'default', confirm: '1' })).toEqual({
      ok: true,
      values: { state: 'default', confirm: true },
    });
    expect(parseForm(contactStateSchema(fr), { state: 'gone' })).toEqual({
      ok: false,
      errors: [fr.clients.stateInvalid],
    });
  });

  it('keeps an observation of at most 5,000 characters, trimmed', () => {
    expect(parseForm(observationSchema(fr), { observation: ' a\r\nb ' })).toEqual({
      ok: true,
      values: { observation: 'a\nb' },
    });
    for (const t of [fr, en])
      expect(parseForm(observationSchema(t), { observation: 'x'.repeat(5001) })).toEqual({
        ok: false,
        errors: [t.clients.observationTooLong],
      });
  });

  it('cuts a letter’s note to 500 characters', () => {
    expect(parseForm(letterSchema, { body: ` ${'x'.repeat(600)}` })).toEqual({
      ok: true,
      values: { body: 'x'.repeat(500) },
    });
  });

  it('requires an SMS of at most 640 characters', () => {
    for (const t of [fr, en]) {
      expect(parseForm(smsSchema(t), { body: ' \r\n ' })).toEqual({ ok: false, errors: [t.clients.smsRequired] });
      expect(parseForm(smsSchema(t), { body: 'x'.repeat(641) })).toEqual({ ok: false, errors: [t.clients.smsTooLong] });
    }
    expect(parseForm(smsSchema(en), { body: ' Hello\r\nthere ' })).toEqual({
      ok: true,
      values: { body: 'Hello\nthere' },
    });
  });

  it('asks a reason for the confidential view, its spaces made single', () => {
    expect(typedReason({ reason: '  Call   from\nthe client ' })).toBe('Call from the client');
    expect(parseForm(viewReasonSchema(en), { reason: '  Call   from\nthe client ' })).toEqual({
      ok: true,
      values: { reason: 'Call from the client' },
    });
    for (const t of [fr, en]) {
      expect(parseForm(viewReasonSchema(t), { reason: ' ab ' })).toEqual({
        ok: false,
        errors: [t.clientView.reasonRequired],
      });
      expect(parseForm(viewReasonSchema(t), { reason: 'x'.repeat(1000) })).toEqual({
        ok: false,
        errors: [t.clientView.reasonTooLong],
      });
    }
  });
});
