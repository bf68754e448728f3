// The client space's forms: writing a conversation, replying in one. The rules of a subject, a
// body and copies are the domain's (domain/validation.ts); the messages are the visitor's language.
// The routes parse `typedForm(body, *_FIELDS)`: every field is there, '' when it was not sent.
import { z } from 'zod';
import type { Messages } from '../../../i18n/index.js';
import { bodyRule, ccRule, subjectRule } from '../../../domain/validation.js';
import { localized, text } from '../../forms.js';

export const COMPOSE_FIELDS = ['spaceId', 'subject', 'body', 'cc'] as const;
export const REPLY_FIELDS = ['body'] as const;

/** A new conversation, in one of the client's spaces (their ids). */
export function composeSchema(t: Messages, spaceIds: readonly string[]) {
  return z.object({
    spaceId: text.refine((id) => spaceIds.includes(id), t.errors.spaceInvalid),
    subject: text.pipe(subjectRule(t)),
    body: text.pipe(bodyRule(t)),
    cc: text.pipe(ccRule(t)),
  });
}

/** A reply in a conversation. */
export const replySchema = localized((t) => z.object({ body: text.pipe(bodyRule(t)) }));
