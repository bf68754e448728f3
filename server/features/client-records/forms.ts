// The client record's forms as zod schemas: a new contact (checked for its kind, normalised), a
// contact's state, the observation, a letter's note, an SMS, and the reason for opening the
// confidential view of the client's space.
import { z } from 'zod';
import { CONTACT_KINDS, CONTACT_STATES } from '../../../db/clients.js';
import { REASON_MAX, REASON_MIN } from '../../../db/client-views.js';
import type { ContactKind, ContactState } from '../../../db/database.js';
import { isEmail } from '../../../domain/validation.js';
import { localized, text } from '../../forms.js';

export const VALUE_MAX = 500;
export const OBSERVATION_MAX = 5000;
export const SMS_MAX = 640;
const PHONE = /^\+?[0-9][0-9 .\-()]{5,24}$/;

/** Line breaks as the browser may send them (CRLF), read as LF. */
const unixLines = text.transform((value) => value.replace(/\r\n/g, '\n'));

/**
 * A contact as typed: its kind, and its value checked for that kind (an e-mail address, a phone
 * number), then normalised (an address in lower case, a number's spaces single).
 */
export const contactSchema = localized((t) =>
  z
    .object({
      kind: text.pipe(z.custom<ContactKind>((kind) => CONTACT_KINDS.some((k) => k === kind), t.clients.stateInvalid)),
      value: unixLines.pipe(
        z
          .string()
          .trim()
          .min(1, t.clients.valueRequired)
          .max(VALUE_MAX, { error: t.clients.valueTooLong, abort: true }),
      ),
    })
    .check((ctx) => {
      // The value is checked for its kind only when both were read.
      if (ctx.issues.length > 0) return;
      const { kind, value } = ctx.value;
      if (kind === 'email' && !isEmail(value)) ctx.issues.push(issue(ctx.value, t.clients.emailInvalid));
      else if (kind === 'phone' && !PHONE.test(value)) ctx.issues.push(issue(ctx.value, t.clients.phoneInvalid));
    })
    .transform(({ kind, value }) => ({
      kind,
      value: kind === 'email' ? value.toLowerCase() : kind === 'phone' ? value.replace(/\s+/g, ' ') : value,
    })),
);

function issue(input: unknown, message: string) {
  return { code: 'custom' as const, message, input, path: ['value'] };
}

/** A contact's new state; `confirm`: the replacement of the current default was confirmed. */
export const contactStateSchema = localized((t) =>
  z.object({
    state: text.pipe(
      z.custom<ContactState>((state) => CONTACT_STATES.some((s) => s === state), t.clients.stateInvalid),
    ),
    confirm: text.transform((confirm) => confirm === '1'),
  }),
);

/** Staff's shared observation, stored trimmed; `typed`: as typed, to show a refused one again. */
export const observationSchema = localized((t) =>
  z.object({
    observation: unixLines
      .pipe(z.string().max(OBSERVATION_MAX, t.clients.observationTooLong))
      .transform((observation) => observation.trim()),
  }),
);

/** A letter's note: never refused, cut to its maximum. */
export const letterSchema = z.object({ body: text.transform((body) => body.trim().slice(0, VALUE_MAX)) });

/** An SMS's text, required and at most 640 characters. */
export const smsSchema = localized((t) =>
  z.object({
    body: unixLines.pipe(z.string().trim().min(1, t.clients.smsRequired).max(SMS_MAX, t.clients.smsTooLong)),
  }),
);

/** The reason for opening the confidential view of a client's space, spaces made single. */
export function typedReason(body: unknown): string {
  return reasonText.parse(typeof body === 'object' && body !== null ? body : {}).reason;
}
const reasonText = z.object({ reason: text.transform((reason) => reason.replace(/\s+/g, ' ').trim()) });

export const viewReasonSchema = localized((t) =>
  reasonText.pipe(
    z.object({
      reason: z.string().min(REASON_MIN, t.clientView.reasonRequired).max(REASON_MAX, t.clientView.reasonTooLong),
    }),
  ),
);
