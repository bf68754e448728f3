// What the purge schedule deletes (workflows/data-purge.ts, db/purges.ts), and the order it takes
// the kinds in: webhook events last, once the deliveries that referred to them are gone.
export const PURGE_KINDS = [
  'idempotencyKeys',
  'apiChanges',
  'unsubscribeTokens',
  'phoneConfirmations',
  'webhookDeliveries',
  'webhookEvents',
] as const;
export type PurgeKind = (typeof PURGE_KINDS)[number];

/** Delivered webhook deliveries (and their attempts) are kept this long after delivery. */
export const DELIVERED_WEBHOOK_DAYS = 30;
/** A used one-click unsubscribe link keeps working (a second click is a no-op) this long. */
export const USED_UNSUBSCRIBE_DAYS = 30;
/** An unused one-click unsubscribe link works this long after its e-mail was sent. */
export const UNUSED_UNSUBSCRIBE_DAYS = 365;
