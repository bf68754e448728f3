// The space form's schema: what it accepts, and each refusal in French and English, in the
// order the form shows its fields.
import { describe, expect, it } from 'vitest';
import { messages } from '../../../i18n/index.js';
import { parseForm } from '../../../server/forms.js';
import { newSpaceSchema, spaceEditSchema, typedSpaceForm } from '../../../server/features/spaces/forms.js';

const fr = messages('fr');
const en = messages('en');
const good = {
  name: ' Gestion locative ',
  slug: 'Gestion-Locative',
  target: '24',
  max: '48,5',
  calendar: 'business',
  opens: '09:00',
  closes: '18:00',
  teamEmail: 'Equipe@Example.fr',
  managerEmail: '',
  satisfaction: '72',
  retention: '',
};

describe('space form', () => {
  it('reads a good form into a policy, trimmed and in lower case', () => {
    const parsed = parseForm(newSpaceSchema(fr), good);
    expect(parsed).toEqual({
      ok: true,
      values: {
        slug: 'gestion-locative',
        policy: {
          name: 'Gestion locative',
          slaTargetHours: 24,
          slaMaxHours: 48.5,
          slaCalendar: 'business',
          slaOpens: '09:00',
          slaCloses: '18:00',
          teamEmail: 'equipe@example.fr',
          managerEmail: null,
          satisfactionTimeoutHours: 72,
          retentionMonths: null,
        },
      },
    });
  });

  it('refuses a maximum below the target, in French and in English', () => {
    for (const t of [fr, en]) {
      const parsed = parseForm(newSpaceSchema(t), { ...good, target: '48', max: '24' });
      expect(parsed).toEqual({ ok: false, errors: [t.spaces.maxBelowTarget] });
    }
    expect(fr.spaces.maxBelowTarget).not.toBe(en.spaces.maxBelowTarget);
  });

  it('lists every problem in the order of the fields', () => {
    const t = en;
    const parsed = parseForm(newSpaceSchema(t), {
      name: '',
      slug: 'Not a slug!',
      target: '0',
      max: 'x',
      calendar: 'weekly',
      opens: '18:00',
      closes: '09:00',
      teamEmail: 'nope',
      managerEmail: 'also@nope',
      satisfaction: '9999',
      retention: '601',
    });
    expect(parsed).toEqual({
      ok: false,
      errors: [
        t.spaces.nameRequired,
        t.spaces.slugInvalid,
        t.spaces.hoursInvalid(t.spaces.target),
        t.spaces.hoursInvalid(t.spaces.max),
        t.errors.badForm,
        t.spaces.opensAfterCloses,
        t.spaces.emailInvalid(t.spaces.teamEmail),
        t.spaces.emailInvalid(t.spaces.managerEmail),
        t.spaces.hoursInvalid(t.spaces.satisfaction),
        t.spaces.retentionInvalid,
      ],
    });
  });

  it('puts the maximum-below-target problem right after the hours it compares', () => {
    const parsed = parseForm(newSpaceSchema(fr), { ...good, target: '10', max: '5', opens: '9h' });
    expect(parsed).toEqual({
      ok: false,
      errors: [fr.spaces.maxBelowTarget, fr.spaces.timeInvalid(fr.spaces.opens)],
    });
  });

  it('does not read the identifier of an existing space', () => {
    const parsed = parseForm(spaceEditSchema(fr), { ...good, slug: 'Not a slug!' });
    expect(parsed.ok).toBe(true);
  });

  it('keeps what was typed, trimmed, to show a refused form again', () => {
    expect(typedSpaceForm({ name: '  A ', slug: ' AB ', teamEmail: ' X@Y.FR', max: 3 })).toMatchObject({
      name: 'A',
      slug: 'ab',
      teamEmail: 'x@y.fr',
      max: '',
      retention: '',
    });
  });

  it('keeps documents for a whole number of months between 1 and 600', () => {
    expect(parseForm(newSpaceSchema(en), { ...good, retention: '600' })).toMatchObject({
      ok: true,
      values: { policy: { retentionMonths: 600 } },
    });
    expect(parseForm(newSpaceSchema(en), { ...good, retention: '0' })).toEqual({
      ok: false,
      errors: [en.spaces.retentionInvalid],
    });
  });
});
