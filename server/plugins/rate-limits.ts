// The deployment's rate limits (app/rate-limits.ts) as an app decorator, and the preHandlers
// routes put after their CSRF check. A refusal is a RateLimitedError: the error handler answers
// 429 with Retry-After and says when to try again.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  createRateLimits,
  RateLimitedError,
  requestKeys,
  type RateLimits,
  type RateRuleName,
} from '../../app/rate-limits.js';

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: RateLimits;
  }
}

export default fp(
  async (app) => {
    const { db, config } = app.deps;
    app.decorate('rateLimits', createRateLimits(db, config, config.TEMPORAL_TASK_QUEUE));
  },
  { name: 'rate-limits', dependencies: ['deps'] },
);

/**
 * A preHandler counting the request under `rule`, per address and per the account it acts for
 * (`accountOf`: an e-mail typed in a form, the signed-in account's id; nothing when unknown).
 */
export function rateLimited(
  app: FastifyInstance,
  rule: RateRuleName,
  accountOf: (request: FastifyRequest) => string | null | undefined,
) {
  return async (request: FastifyRequest): Promise<void> => {
    await app.rateLimits.consume(rule, requestKeys(request.ip, accountOf(request)));
  };
}

/**
 * Counts one e-mail from `accountId` to each address (an invitation, the Cc of a conversation);
 * throws a RateLimitedError naming the first address past its daily limit.
 */
export async function consumeMailTargets(
  app: FastifyInstance,
  accountId: string,
  addresses: readonly string[],
): Promise<void> {
  for (const address of new Set(addresses.map((a) => a.trim().toLowerCase()))) {
    try {
      await app.rateLimits.consume('mailTarget', [`${accountId}:${address}`]);
    } catch (err) {
      if (err instanceof RateLimitedError) throw new RateLimitedError(err.retryAfterSeconds, address);
      throw err;
    }
  }
}
