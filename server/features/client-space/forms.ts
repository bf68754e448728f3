// The client space's forms: writing a conversation, replying in one. The rules of a subject, a
// body and copies are the domain's (domain/validation.ts); the messages are the visitor's language.
// The routes parse `typedForm(body, *_FIELDS)`: every field is there, '' when it was not sent.
import { z } from 'zod';
import type { Messages } from '../../../i18n/index.js';
import { BODY_MAX, SUBJECT_MAX, validateCc } from '../../../domain/validation.js';
import { localized, text } from '../../forms.js';

export const COMPOSE_FIELDS = ['spaceId', 'subject', 'body', 'cc'] as const;
export const REPLY_FIELDS = ['body'] as const;

/** A subject: trimmed, required, at most SUBJECT_MAX characters. */
function subjectField(t: Messages) {
  return text.pipe(z.string().trim().min(1, t.errors.subjectRequired).max(SUBJECT_MAX, t.errors.subjectTooLong));
}

/** A message body: Windows line ends made plain, trimmed, required, at most BODY_MAX characters. */
function bodyField(t: Messages) {
  return text
    .transform((value) => value.replace(/\r\n/g, '\n'))
    .pipe(z.string().trim().min(1, t.errors.bodyRequired).max(BODY_MAX, t.errors.bodyTooLong));
}

/** Copies: comma- or semicolon-separated addresses, normalised to "a@x.fr, b@y.fr" ('' for none). */
function ccField(t: Messages) {
  return text.transform((value, ctx) => {
    const errors: string[] = [];
    const cc = validateCc(t, value, errors);
    for (const message of errors) ctx.addIssue({ code: 'custom', message });
    return cc;
  });
}

/** A new conversation, in one of the client's spaces (their ids). */
export function composeSchema(t: Messages, spaceIds: readonly string[]) {
  return z.object({
    spaceId: text.refine((id) => spaceIds.includes(id), t.errors.spaceInvalid),
    subject: subjectField(t),
    body: bodyField(t),
    cc: ccField(t),
  });
}

/** A reply in a conversation. */
export const replySchema = localized((t) => z.object({ body: bodyField(t) }));
