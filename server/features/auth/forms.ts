// The sign-in feature's forms: signing in (client and staff) and asking for a password by e-mail.
// The routes parse `typedForm(body, *_FIELDS)`: every field is there, '' when it was not sent.
import { z } from 'zod';
import { isEmail } from '../../../domain/validation.js';
import { localized, text } from '../../forms.js';

export const SIGN_IN_FIELDS = ['email', 'password'] as const;
export const PASSWORD_REQUEST_FIELDS = ['email'] as const;

/** The e-mail (or, for staff signing in through Redmine, the login) trimmed, the password as typed.
 * An empty one is no error of the form: the sign-in is simply refused. */
export const signInSchema = z.object({
  email: text.pipe(z.string().trim()),
  password: text,
});

/** The address a password is sent to. */
export const passwordRequestSchema = localized((t) =>
  z.object({
    email: text.pipe(z.string().trim().refine(isEmail, t.errors.emailInvalid)),
  }),
);
