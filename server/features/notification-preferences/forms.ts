// The notification preferences form and the phone confirmation code: zod schemas whose messages
// are in the visitor's language. The phone number becomes E.164 (domain/phone.ts) or a message
// saying what is wrong with it; SMS for each answer needs a number.
import { z } from 'zod';
import type { Messages } from '../../../i18n/index.js';
import { normalisePhone, type PhoneProblem } from '../../../domain/phone.js';
import { localized, text } from '../../forms.js';

export const PREFERENCE_FIELDS = ['emailMode', 'smsMode', 'phone', 'locale'] as const;
export const CODE_FIELDS = ['code'] as const;

/** Longer than any number written with spaces; beyond it, a paste went wrong. */
const PHONE_MAX = 40;

function phoneMessage(t: Messages, problem: Exclude<PhoneProblem, 'empty'>): string {
  const e = t.preferences.errors;
  return { characters: e.phoneCharacters, shape: e.phoneShape, 'not-mobile': e.phoneNotMobile }[problem];
}

export const preferencesSchema = localized((t) => {
  const e = t.preferences.errors;
  return z
    .object({
      emailMode: text.pipe(z.enum(['each', 'daily', 'none'], { error: e.emailMode })),
      smsMode: text.pipe(z.enum(['each', 'none'], { error: e.smsMode })),
      locale: text.pipe(z.enum(['fr', 'en'], { error: e.locale })),
      phone: text.pipe(
        z
          .string()
          .max(PHONE_MAX, e.phoneTooLong)
          .transform((typed, ctx): string | null => {
            const result = normalisePhone(typed);
            if (result.ok) return result.e164;
            if (result.problem === 'empty') return null;
            ctx.addIssue({ code: 'custom', message: phoneMessage(t, result.problem) });
            return z.NEVER;
          }),
      ),
    })
    .superRefine((values, ctx) => {
      if (values.smsMode === 'each' && values.phone === null)
        ctx.addIssue({ code: 'custom', path: ['phone'], message: e.phoneRequired });
    });
});

export const codeSchema = localized((t) =>
  z.object({
    code: text.pipe(
      z
        .string()
        .transform((typed) => typed.replace(/\s/g, ''))
        .pipe(z.string().regex(/^\d{6}$/, t.preferences.errors.codeFormat)),
    ),
  }),
);
