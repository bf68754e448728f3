// The back-office conversation forms: a staff answer, a client message's reading state.
// The routes parse `typedForm(body, *_FIELDS)`: every field is there, '' when it was not sent.
import { z } from 'zod';
import { bodyRule } from '../../../domain/validation.js';
import { localized, text } from '../../forms.js';

export const ANSWER_FIELDS = ['body'] as const;
export const MESSAGE_STATE_FIELDS = ['state'] as const;

/** A staff answer. */
export const answerSchema = localized((t) => z.object({ body: text.pipe(bodyRule(t)) }));

/** The reading state a client message is given: to read, read, cancelled. */
export const messageStateSchema = localized((t) =>
  z.object({ state: text.pipe(z.enum(['to_read', 'read', 'cancelled'], t.clients.stateInvalid)) }),
);
