// Sign-in limits shared by the client and the staff sign-in forms.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestKeys } from '../app/rate-limits.js';
import { typedForm } from './forms.js';
import { rateLimited } from './plugins/rate-limits.js';

/** The e-mail (or login) typed: the key the tries are counted by. */
const typedEmail = (request: FastifyRequest) => typedForm(request.body, ['email'] as const).email;

/** Sign-in tries, per address and per the e-mail (or login) typed. */
export function signInLimit(app: FastifyInstance) {
  return rateLimited(app, 'signIn', typedEmail);
}

/** A successful sign-in gives its try back: only failed tries count against the limit. */
export function signInSucceeded(app: FastifyInstance, request: FastifyRequest): Promise<void> {
  return app.rateLimits.refund('signIn', requestKeys(request.ip, typedEmail(request)));
}
