// Rate limits kept in PostgreSQL (table rate_limits, migration 016), so that every server process
// of a deployment counts the same tries: rate-limiter-flexible's Postgres store, fed through
// Kysely, which works the same on a PostgreSQL pool and on the embedded PGlite. Each rule is a
// fixed window (points per duration) counted per address and per account: one address cannot
// try many accounts, and many addresses cannot try one account.
import { CompiledQuery } from 'kysely';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import type { Messages } from '../i18n/index.js';

export interface RateRule {
  points: number;
  seconds: number;
}

export type RateRuleName =
  | 'signIn'
  | 'passwordRequest'
  | 'conversation'
  | 'message'
  | 'invitation'
  | 'upload'
  | 'mailTarget'
  | 'unsubscribe'
  | 'preferences'
  | 'phoneCode'
  | 'apiTokenFailure'
  | 'selfExport';

export const RATE_LIMIT_TABLE = 'rate_limits';

/** The rules: sign-in and password requests from LOGIN_RATE_LIMIT, the rest fixed. */
export function rateRules(config: Pick<Config, 'LOGIN_RATE_LIMIT'>): Record<RateRuleName, RateRule> {
  return {
    signIn: { points: config.LOGIN_RATE_LIMIT, seconds: 15 * 60 },
    passwordRequest: { points: config.LOGIN_RATE_LIMIT, seconds: 15 * 60 },
    conversation: { points: 20, seconds: 60 * 60 },
    message: { points: 60, seconds: 60 * 60 },
    // Staff adding the people of many cases in a day stay well within it.
    invitation: { points: 50, seconds: 24 * 60 * 60 },
    // One file per request from the page's script: a case of eight categories with several
    // pieces each fits well within it.
    upload: { points: 100, seconds: 60 * 60 },
    // E-mails one account makes Guichet send to one address (an invitation, a Cc), per day.
    mailTarget: { points: 5, seconds: 24 * 60 * 60 },
    // One-click unsubscribe links (no session, no CSRF): per address, so tokens cannot be tried in bulk.
    unsubscribe: { points: 30, seconds: 60 * 60 },
    // Saving the notification preferences and typing a phone confirmation code.
    preferences: { points: 30, seconds: 60 * 60 },
    // Confirmation codes sent by SMS (each costs money and reaches someone's phone): a first code
    // and a few resends an hour.
    phoneCode: { points: 5, seconds: 60 * 60 },
    // Refused integration API tokens (only refusals count), per address and per token prefix.
    apiTokenFailure: { points: 30, seconds: 15 * 60 },
    // A client asking for their own data export (app/data-rights/self-export.ts): once a day.
    selfExport: { points: 1, seconds: 24 * 60 * 60 },
  };
}

export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  readonly statusCode = 429;
  readonly code = 'RATE_LIMITED';
  constructor(
    /** Whole seconds until the window that refused ends. */
    readonly retryAfterSeconds: number,
    /** The address that got too many e-mails, for a mailTarget refusal. */
    readonly mailTarget?: string,
  ) {
    super('rate limited');
  }
}

export interface RateLimits {
  readonly rules: Record<RateRuleName, RateRule>;
  /** Counts one try under every key; throws RateLimitedError when any key is past its limit
   * (the longest wait of the refusing keys). */
  consume(rule: RateRuleName, keys: readonly string[], points?: number): Promise<void>;
  /** Gives back the one try just counted under every key (a sign-in that succeeded: only
   * failures count, so colleagues signing in behind one office address are not held back, while
   * failures keep adding up whatever successes come between them). */
  refund(rule: RateRuleName, keys: readonly string[]): Promise<void>;
  /** The stored key of a rule's counter (tests fill a counter through it). */
  storedKey(rule: RateRuleName, key: string): string;
}

/** The pg-like client the store expects (`query({ text, values })` → `{ rows, rowCount }`). */
function kyselyClient(db: Db) {
  return {
    async query(q: { text: string; values?: unknown[] }) {
      const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(q.text, q.values ?? []));
      const rowCount = result.rows.length > 0 ? result.rows.length : Number(result.numAffectedRows ?? 0);
      return {
        rows: result.rows.map((row) => ({ ...row, expire: row.expire === null ? null : Number(row.expire) })),
        rowCount,
      };
    },
  };
}

/**
 * The limiters of one deployment. `namespace` separates deployments sharing a database (the
 * Temporal task queue: every server and worker of one deployment has the same).
 */
export function createRateLimits(db: Db, config: Pick<Config, 'LOGIN_RATE_LIMIT'>, namespace: string): RateLimits {
  const rules = rateRules(config);
  const client = kyselyClient(db);
  const limiters = new Map<RateRuleName, RateLimiterPostgres>();
  const prefix = (rule: RateRuleName) => `${namespace}:${rule}`;
  for (const [name, rule] of Object.entries(rules) as Array<[RateRuleName, RateRule]>) {
    limiters.set(
      name,
      new RateLimiterPostgres({
        storeClient: client,
        storeType: 'client',
        tableName: RATE_LIMIT_TABLE,
        // Created by the migration; expired rows are purged by the sessions' purge schedule.
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix: prefix(name),
        points: rule.points,
        duration: rule.seconds,
      }),
    );
  }
  return {
    rules,
    storedKey: (rule, key) => `${prefix(rule)}:${key}`,
    async refund(rule, keys) {
      const limiter = limiters.get(rule)!;
      await Promise.all(keys.map((key) => limiter.reward(key, 1)));
    },
    async consume(rule, keys, points = 1) {
      const limiter = limiters.get(rule)!;
      const outcomes = await Promise.allSettled(keys.map((key) => limiter.consume(key, points)));
      let waitMs = -1;
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') continue;
        // A store failure is an error, not a refusal: nothing is let through unseen.
        if (!(outcome.reason instanceof RateLimiterRes)) throw outcome.reason;
        waitMs = Math.max(waitMs, outcome.reason.msBeforeNext);
      }
      if (waitMs >= 0) throw new RateLimitedError(Math.max(1, Math.ceil(waitMs / 1000)));
    },
  };
}

/** Deletes the counters whose window ended (the library keeps them until overwritten). */
export async function deleteExpiredRateLimits(db: Db): Promise<number> {
  const result = await db.deleteFrom('rate_limits').where('expire', '<', Date.now()).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The keys of one request: its address, and the account (or e-mail) it acts for, if any. */
export function requestKeys(ip: string, account?: string | null): string[] {
  const keys = [`ip:${ip}`];
  if (account) keys.push(`account:${account.trim().toLowerCase()}`);
  return keys;
}

/** What the refused person reads: when to try again (minutes, hours from two hours on). */
export function rateLimitText(t: Messages, error: RateLimitedError): string {
  const minutes = Math.max(1, Math.ceil(error.retryAfterSeconds / 60));
  const wait = minutes < 120 ? t.errors.waitMinutes(minutes) : t.errors.waitHours(Math.ceil(minutes / 60));
  return error.mailTarget ? t.errors.tooManyMails(error.mailTarget, wait) : t.errors.tooManyAttempts(wait);
}
