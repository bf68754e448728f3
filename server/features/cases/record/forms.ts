// The case record's forms (zod, server/forms.ts): summary and conclusions, the payment amount
// and state, the unpaid-cases setting and a client's exemption. Messages stay the catalogue's.
import { z } from 'zod';
import { CONCLUSIONS_MAX, CONCLUSION_MAX, SUMMARY_MAX, parseEuroAmount } from '../../../../domain/case-record.js';
import type { PaymentState } from '../../../../db/database.js';
import { isUnpaidMode, type UnpaidMode } from '../../../../domain/downloads.js';
import { localized, text } from '../../../forms.js';

/** Conclusions typed one per line, blank lines dropped. */
export function conclusionLines(value: string): string[] {
  return value
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export const RECORD_FIELDS = ['summary', 'conclusions'] as const;

/** Summary (trimmed, Unix line ends) and conclusions (one a line): each problem, in this order. */
export const recordSchema = localized((t) =>
  z.object({
    summary: text
      .transform((v) => v.replace(/\r\n/g, '\n').trim())
      .refine((v) => v.length <= SUMMARY_MAX, t.caseRecord.summaryTooLong),
    conclusions: text.transform(conclusionLines).superRefine((lines, ctx) => {
      if (lines.length > CONCLUSIONS_MAX) ctx.addIssue({ code: 'custom', message: t.caseRecord.conclusionsTooMany });
      lines.forEach((c, i) => {
        if (c.length > CONCLUSION_MAX) ctx.addIssue({ code: 'custom', message: t.caseRecord.conclusionTooLong(i + 1) });
      });
    }),
  }),
);

/** The amount as typed, cut at 60 characters (what a refused form shows again). */
export function typedAmountField(body: unknown): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).amount : undefined;
  return (typeof value === 'string' ? value : '').slice(0, 60);
}

/** The payment amount in cents (French or English writing), or why not. */
export const amountSchema = localized((t) =>
  z.object({
    amount: text
      .transform((v) => v.slice(0, 60))
      .transform((typed, ctx) => {
        const parsed = parseEuroAmount(typed);
        if (parsed.ok) return parsed.cents;
        ctx.addIssue({
          code: 'custom',
          message:
            parsed.reason === 'too_large' ? t.caseRecord.amountTooLarge : t.caseRecord.amountInvalid(typed.trim()),
        });
        return z.NEVER;
      }),
  }),
);

const PAYMENT_STATES = ['paid', 'unpaid'] as const satisfies readonly PaymentState[];

/** Paid ⇄ unpaid, from the state the page showed; `confirm` e-mails the client (only towards paid). */
export const paymentStateSchema = localized((t) =>
  z
    .object({
      from: text.pipe(z.enum(PAYMENT_STATES, t.errors.badForm)),
      to: text.pipe(z.enum(PAYMENT_STATES, t.errors.badForm)),
      confirm: text.transform((v) => v === 'on'),
    })
    .refine((v) => v.from !== v.to, t.errors.badForm)
    .transform((v) => ({ from: v.from, to: v.to, confirm: v.to === 'paid' && v.confirm })),
);

/** The unpaid-cases setting: one of the modes. */
export const unpaidModeSchema = localized((t) =>
  z.object({
    unpaidMode: text.refine((v): v is UnpaidMode => isUnpaidMode(v), t.caseRecord.unpaidInvalid),
  }),
);

/** A client's exemption from the unpaid-cases rule: ticked or not. */
export const exemptSchema = z.object({ exempt: text.transform((v) => v === '1') });
