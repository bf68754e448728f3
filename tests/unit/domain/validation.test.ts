// Form validation for people: e-mail addresses, the subject and body of a message, the copies.
import { describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { BODY_MAX, isEmail, SUBJECT_MAX, bodyRule, ccRule, subjectRule } from '../../../domain/validation.js';
import { messages } from '../../../i18n/index.js';

const t = messages('fr');

describe('isEmail', () => {
  it('takes ordinary addresses and refuses the rest', () => {
    expect(isEmail('marie.dupont@example.fr')).toBe(true);
    expect(isEmail('a+b@sub.example.co.uk')).toBe(true);
    expect(isEmail('marie@example')).toBe(false);
    expect(isEmail('marie example@x.fr')).toBe(false);
    expect(isEmail('a@b@c.fr')).toBe(false);
    expect(isEmail('a,b@x.fr')).toBe(false);
    expect(isEmail('<a@x.fr>')).toBe(false);
    expect(isEmail('')).toBe(false);
  });

  it('refuses addresses longer than 254 characters', () => {
    const local = 'a'.repeat(64);
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.fr`;
    expect(`${local}@${domain}`.length).toBeGreaterThan(254);
    expect(isEmail(`${local}@${domain}`)).toBe(false);
    expect(isEmail(`${local}@example.fr`)).toBe(true);
  });
});

/** What a rule makes of a value: the value kept, or the messages of its problems. */
function check(rule: ZodType<string, string>, value: string): { value?: string; errors: string[] } {
  const result = rule.safeParse(value);
  return result.success ? { value: result.data, errors: [] } : { errors: result.error.issues.map((i) => i.message) };
}

describe('subject and body', () => {
  it('trims and requires a subject of at most 200 characters', () => {
    const subject = subjectRule(t);
    expect(check(subject, '  Fuite d’eau  ')).toEqual({ value: 'Fuite d’eau', errors: [] });
    expect(check(subject, '   ').errors).toEqual([t.errors.subjectRequired]);
    expect(check(subject, 'x'.repeat(SUBJECT_MAX)).errors).toEqual([]);
    expect(check(subject, 'x'.repeat(SUBJECT_MAX + 1)).errors).toEqual([t.errors.subjectTooLong]);
  });

  it('normalises line ends and requires a body of at most 20,000 characters', () => {
    const body = bodyRule(t);
    expect(check(body, '\r\nBonjour,\r\nmerci.\r\n')).toEqual({ value: 'Bonjour,\nmerci.', errors: [] });
    expect(check(body, '\n \n').errors).toEqual([t.errors.bodyRequired]);
    expect(check(body, 'x'.repeat(BODY_MAX + 1)).errors).toEqual([t.errors.bodyTooLong]);
  });
});

describe('copies', () => {
  it('normalises, lower-cases and deduplicates the list', () => {
    const cc = ccRule(t);
    expect(check(cc, ' B@x.fr; a@y.fr ,b@x.fr,, ')).toEqual({ value: 'b@x.fr, a@y.fr', errors: [] });
    expect(check(cc, '')).toEqual({ value: '', errors: [] });
  });

  it('names the invalid addresses', () => {
    const { errors } = check(ccRule(t), 'ok@x.fr, pas-une-adresse, autre@');
    expect(errors).toEqual([t.errors.ccInvalid('pas-une-adresse, autre@')]);
    expect(errors[0]).toContain('pas-une-adresse, autre@');
  });

  it('refuses more than ten copies, naming the ones over', () => {
    const list = Array.from({ length: 12 }, (_, i) => `p${i}@x.fr`);
    expect(check(ccRule(t), list.join(',')).errors).toEqual([t.errors.ccInvalid('p10@x.fr, p11@x.fr')]);
  });
});
