// The SLA feature's form: the client's answer to the satisfaction question.
// The routes parse `typedForm(body, *_FIELDS)`: every field is there, '' when it was not sent.
import { z } from 'zod';
import { text } from '../../forms.js';

export const SATISFACTION_FIELDS = ['answer'] as const;

/** `yes` or `no`; anything else is no answer (the page then changes nothing). */
export const satisfactionSchema = z.object({
  answer: text.pipe(z.enum(['yes', 'no'])),
});
