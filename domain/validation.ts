// The rules of what people type in a message (subject, body, copies, e-mail addresses), as zod
// schemas of strings whose messages are in the visitor's language. Forms pipe their fields into them.
import { z } from 'zod';
import type { Messages } from '../i18n/index.js';

const EMAIL = /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/;
export const SUBJECT_MAX = 200;
export const BODY_MAX = 20_000;
const CC_MAX = 10;

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/** A message's subject: trimmed, required, at most SUBJECT_MAX characters. */
export function subjectRule(t: Messages) {
  return z.string().trim().min(1, t.errors.subjectRequired).max(SUBJECT_MAX, t.errors.subjectTooLong);
}

/** A message's body: Windows line ends made plain, trimmed, required, at most BODY_MAX characters. */
export function bodyRule(t: Messages) {
  return z
    .string()
    .transform((value) => value.replace(/\r\n/g, '\n'))
    .pipe(z.string().trim().min(1, t.errors.bodyRequired).max(BODY_MAX, t.errors.bodyTooLong));
}

/** Comma- (or semicolon-) separated copies, normalised to "a@x.fr, b@y.fr" ('' for none): the
 * invalid addresses are named, and so are the ones over CC_MAX. */
export function ccRule(t: Messages) {
  return z.string().transform((cc, ctx) => {
    const list = cc
      .split(/[,;]/)
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    const bad = list.filter((e) => !isEmail(e));
    if (bad.length > 0) ctx.addIssue({ code: 'custom', message: t.errors.ccInvalid(bad.join(', ')) });
    else if (list.length > CC_MAX)
      ctx.addIssue({ code: 'custom', message: t.errors.ccInvalid(list.slice(CC_MAX).join(', ')) });
    return [...new Set(list)].join(', ');
  });
}
