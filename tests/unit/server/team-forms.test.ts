// The team page's schemas: a role, the spaces ticked for someone, the removal's confirmation,
// each refusal in French and English.
import { describe, expect, it } from 'vitest';
import { messages } from '../../../i18n/index.js';
import { parseForm } from '../../../server/forms.js';
import { removalSchema, roleSchema, staffSpacesSchema } from '../../../server/features/team/forms.js';

const fr = messages('fr');
const en = messages('en');
const A = '0b9c6a43-2f6c-4c55-9d2b-6f1f5f0a1e01';
const B = '0b9c6a43-2f6c-4c55-9d2b-6f1f5f0a1e02';

describe('team forms', () => {
  it('reads a role, and refuses any other value in the visitor’s language', () => {
    expect(parseForm(roleSchema(fr), { role: 'manager' })).toEqual({ ok: true, values: { role: 'manager' } });
    for (const t of [fr, en]) {
      expect(parseForm(roleSchema(t), { role: 'admin' })).toEqual({ ok: false, errors: [t.team.roleInvalid] });
      expect(parseForm(roleSchema(t), {})).toEqual({ ok: false, errors: [t.team.roleInvalid] });
    }
  });

  it('reads the ticked spaces, one or several, each once', () => {
    expect(parseForm(staffSpacesSchema(en), {})).toEqual({ ok: true, values: { space: [] } });
    expect(parseForm(staffSpacesSchema(en), { space: A })).toEqual({ ok: true, values: { space: [A] } });
    expect(parseForm(staffSpacesSchema(en), { space: [A, B, A] })).toEqual({ ok: true, values: { space: [A, B] } });
  });

  it('refuses a space that is not an id, with one message', () => {
    for (const t of [fr, en]) {
      expect(parseForm(staffSpacesSchema(t), { space: [A, 'x', 'y'] })).toEqual({
        ok: false,
        errors: [t.team.spacesInvalid],
      });
    }
  });

  it('removes someone only when the box is ticked', () => {
    expect(parseForm(removalSchema(fr), { confirm: '1' }).ok).toBe(true);
    for (const t of [fr, en])
      expect(parseForm(removalSchema(t), { confirm: 'on' })).toEqual({
        ok: false,
        errors: [t.team.removeConfirmRequired],
      });
  });
});
