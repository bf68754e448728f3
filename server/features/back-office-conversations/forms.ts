// The back-office conversation forms: a staff answer, a client message's reading state.
// The routes parse `typedForm(body, *_FIELDS)`: every field is there, '' when it was not sent.
import { z } from 'zod';
import type { Messages } from '../../../i18n/index.js';
import { BODY_MAX } from '../../../domain/validation.js';
import { localized, text } from '../../forms.js';

export const ANSWER_FIELDS = ['body'] as const;
export const MESSAGE_STATE_FIELDS = ['state'] as const;

/** A message body: Windows line ends made plain, trimmed, required, at most BODY_MAX characters. */
function bodyField(t: Messages) {
  return text
    .transform((value) => value.replace(/\r\n/g, '\n'))
    .pipe(z.string().trim().min(1, t.errors.bodyRequired).max(BODY_MAX, t.errors.bodyTooLong));
}

/** A staff answer. */
export const answerSchema = localized((t) => z.object({ body: bodyField(t) }));

/** The reading state a client message is given: to read, read, cancelled. */
export const messageStateSchema = localized((t) =>
  z.object({ state: text.pipe(z.enum(['to_read', 'read', 'cancelled'], t.clients.stateInvalid)) }),
);
