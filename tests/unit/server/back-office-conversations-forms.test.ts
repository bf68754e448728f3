// The back-office conversation forms' schemas: a staff answer and a client message's reading
// state, with their messages in French and English.
import { describe, expect, it } from 'vitest';
import { messages } from '../../../i18n/index.js';
import { parseForm, typedForm } from '../../../server/forms.js';
import {
  ANSWER_FIELDS,
  MESSAGE_STATE_FIELDS,
  answerSchema,
  messageStateSchema,
} from '../../../server/features/back-office-conversations/forms.js';

const fr = messages('fr');
const en = messages('en');

describe('answer form', () => {
  it('gives the normalised body', () => {
    expect(parseForm(answerSchema(fr), typedForm({ body: '\r\nBonjour\r\nMadame ' }, ANSWER_FIELDS))).toEqual({
      ok: true,
      values: { body: 'Bonjour\nMadame' },
    });
  });

  it('refuses an empty or too long body in French and English', () => {
    expect(parseForm(answerSchema(fr), typedForm({ body: ' ' }, ANSWER_FIELDS))).toEqual({
      ok: false,
      errors: [fr.errors.bodyRequired],
    });
    expect(parseForm(answerSchema(en), typedForm({ body: 'x'.repeat(20_001) }, ANSWER_FIELDS))).toEqual({
      ok: false,
      errors: ['The message cannot be longer than 20,000 characters.'],
    });
  });
});

describe('reading state form', () => {
  it('accepts the three states', () => {
    for (const state of ['to_read', 'read', 'cancelled']) {
      expect(parseForm(messageStateSchema(fr), typedForm({ state }, MESSAGE_STATE_FIELDS))).toEqual({
        ok: true,
        values: { state },
      });
    }
  });

  it('refuses any other state in French and English', () => {
    expect(parseForm(messageStateSchema(fr), typedForm({ state: 'deleted' }, MESSAGE_STATE_FIELDS))).toEqual({
      ok: false,
      errors: [fr.clients.stateInvalid],
    });
    expect(parseForm(messageStateSchema(en), typedForm({}, MESSAGE_STATE_FIELDS))).toEqual({
      ok: false,
      errors: ['This state does not exist.'],
    });
  });
});
