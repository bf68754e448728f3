// Form validation for people: e-mail addresses, the subject and body of a message, the copies.
import { describe, expect, it } from 'vitest';
import {
  BODY_MAX,
  isEmail,
  SUBJECT_MAX,
  validateBody,
  validateCc,
  validateSubject,
} from '../../../domain/validation.js';
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

describe('subject and body', () => {
  it('trims and requires a subject of at most 200 characters', () => {
    const errors: string[] = [];
    expect(validateSubject(t, '  Fuite d’eau  ', errors)).toBe('Fuite d’eau');
    expect(errors).toEqual([]);
    validateSubject(t, '   ', errors);
    expect(errors).toEqual([t.errors.subjectRequired]);
    const long: string[] = [];
    validateSubject(t, 'x'.repeat(SUBJECT_MAX), long);
    expect(long).toEqual([]);
    validateSubject(t, 'x'.repeat(SUBJECT_MAX + 1), long);
    expect(long).toEqual([t.errors.subjectTooLong]);
  });

  it('normalises line ends and requires a body of at most 20,000 characters', () => {
    const errors: string[] = [];
    expect(validateBody(t, '\r\nBonjour,\r\nmerci.\r\n', errors)).toBe('Bonjour,\nmerci.');
    expect(errors).toEqual([]);
    validateBody(t, '\n \n', errors);
    expect(errors).toEqual([t.errors.bodyRequired]);
    const long: string[] = [];
    validateBody(t, 'x'.repeat(BODY_MAX + 1), long);
    expect(long).toEqual([t.errors.bodyTooLong]);
  });
});

describe('copies', () => {
  it('normalises, lower-cases and deduplicates the list', () => {
    const errors: string[] = [];
    expect(validateCc(t, ' B@x.fr; a@y.fr ,b@x.fr,, ', errors)).toBe('b@x.fr, a@y.fr');
    expect(errors).toEqual([]);
    expect(validateCc(t, '', errors)).toBe('');
  });

  it('names the invalid addresses', () => {
    const errors: string[] = [];
    validateCc(t, 'ok@x.fr, pas-une-adresse, autre@', errors);
    expect(errors).toEqual([t.errors.ccInvalid('pas-une-adresse, autre@')]);
    expect(errors[0]).toContain('pas-une-adresse, autre@');
  });

  it('refuses more than ten copies, naming the ones over', () => {
    const errors: string[] = [];
    const list = Array.from({ length: 12 }, (_, i) => `p${i}@x.fr`);
    validateCc(t, list.join(','), errors);
    expect(errors).toEqual([t.errors.ccInvalid('p10@x.fr, p11@x.fr')]);
  });
});
