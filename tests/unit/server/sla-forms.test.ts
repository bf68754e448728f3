// The satisfaction answer's schema: `yes` or `no`, anything else is no answer.
import { describe, expect, it } from 'vitest';
import { parseForm, typedForm } from '../../../server/forms.js';
import { SATISFACTION_FIELDS, satisfactionSchema } from '../../../server/features/sla/forms.js';

describe('satisfaction form', () => {
  it('accepts yes and no', () => {
    for (const answer of ['yes', 'no']) {
      expect(parseForm(satisfactionSchema, typedForm({ answer }, SATISFACTION_FIELDS))).toEqual({
        ok: true,
        values: { answer },
      });
    }
  });

  it('refuses anything else, and a missing answer', () => {
    expect(parseForm(satisfactionSchema, typedForm({ answer: 'maybe' }, SATISFACTION_FIELDS)).ok).toBe(false);
    expect(parseForm(satisfactionSchema, typedForm({}, SATISFACTION_FIELDS)).ok).toBe(false);
  });
});
