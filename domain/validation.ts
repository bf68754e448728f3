// Form validation for people: each rule gives a message in the visitor's language.
import type { Messages } from '../i18n/index.js';

const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;
export const SUBJECT_MAX = 200;
export const BODY_MAX = 20_000;
const CC_MAX = 10;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

export function validateSubject(t: Messages, subject: string, errors: string[]): string {
  const s = subject.trim();
  if (!s) errors.push(t.errors.subjectRequired);
  else if (s.length > SUBJECT_MAX) errors.push(t.errors.subjectTooLong);
  return s;
}

export function validateBody(t: Messages, body: string, errors: string[]): string {
  const b = body.replace(/\r\n/g, '\n').trim();
  if (!b) errors.push(t.errors.bodyRequired);
  else if (b.length > BODY_MAX) errors.push(t.errors.bodyTooLong);
  return b;
}

/** Comma- (or semicolon-) separated copies, normalised to "a@x.fr, b@y.fr". */
export function validateCc(t: Messages, cc: string, errors: string[]): string {
  const list = cc
    .split(/[,;]/)
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = list.filter((e) => !isEmail(e));
  if (bad.length > 0) errors.push(t.errors.ccInvalid(bad.join(', ')));
  else if (list.length > CC_MAX) errors.push(t.errors.ccInvalid(list.slice(CC_MAX).join(', ')));
  return [...new Set(list)].join(', ');
}
