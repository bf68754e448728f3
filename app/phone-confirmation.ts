// Confirming the phone number a client gives for SMS notifications: a 6-digit code sent by SMS,
// kept only as an HMAC keyed by the session secret, valid 10 minutes, 5 tries. A new number is
// always unconfirmed until its own code comes back; confirming turns SMS for each answer on (the
// client asked for it by giving the number). The SMS goes out inside the transaction that keeps
// the code: if the provider refuses, nothing is stored.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { SmsProvider } from '../connectors/sms/index.js';
import { inTransaction, type Db } from '../db/connect.js';
import type { Locale } from '../db/database.js';
import {
  confirmPhone,
  countPhoneConfirmationTry,
  deletePhoneConfirmation,
  pendingPhoneConfirmation,
  savePhoneConfirmation,
  setNotificationModes,
} from '../db/notification-preferences.js';
import { smsMessage } from '../domain/sms-segments.js';
import { messages } from '../i18n/index.js';

export const PHONE_CODE_MINUTES = 10;
export const PHONE_CODE_TRIES = 5;

export interface PhoneCodeDeps {
  db: Db;
  sms: SmsProvider;
  /** Keys the HMAC of the codes (the session secret). */
  secret: string;
  now?: () => Date;
}

function codeDigest(secret: string, accountId: string, phone: string, code: string): string {
  return createHmac('sha256', secret).update(`phone-code\n${accountId}\n${phone}\n${code}`).digest('base64url');
}

/** Six digits, leading zeros kept, from the system's random source. */
export function newPhoneCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * Keeps a new code for `phone` and sends it by SMS in `locale`, in `tx` when given (the caller's
 * transaction: its other writes are undone too when the SMS cannot go). Throws what the provider
 * threw (a ConnectorError).
 */
export async function sendPhoneCode(
  deps: PhoneCodeDeps,
  accountId: string,
  phone: string,
  locale: Locale,
  tx?: Db,
): Promise<void> {
  const now = deps.now?.() ?? new Date();
  const code = newPhoneCode();
  await inTransaction(tx ?? deps.db, async (db) => {
    await savePhoneConfirmation(db, {
      accountId,
      phone,
      codeDigest: codeDigest(deps.secret, accountId, phone, code),
      expiresAt: new Date(now.getTime() + PHONE_CODE_MINUTES * 60_000),
    });
    await deps.sms.send(smsMessage(phone, messages(locale).preferences.smsCode(code, PHONE_CODE_MINUTES)));
  });
}

export type PhoneCodeOutcome =
  { kind: 'confirmed'; phone: string } | { kind: 'wrong'; triesLeft: number } | { kind: 'expired' } | { kind: 'none' };

/** Checks a code typed by the client; every try counts, the right one included. */
export async function confirmPhoneCode(
  deps: PhoneCodeDeps,
  accountId: string,
  code: string,
): Promise<PhoneCodeOutcome> {
  const now = deps.now?.() ?? new Date();
  return inTransaction(deps.db, async (db) => {
    const pending = await pendingPhoneConfirmation(db, accountId);
    if (!pending) return { kind: 'none' };
    const counted = await countPhoneConfirmationTry(db, accountId, PHONE_CODE_TRIES, now);
    if (!counted) return { kind: 'expired' };
    const expected = Buffer.from(counted.code_digest);
    const given = Buffer.from(codeDigest(deps.secret, accountId, counted.phone, code));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      const triesLeft = PHONE_CODE_TRIES - counted.attempts;
      return triesLeft > 0 ? { kind: 'wrong', triesLeft } : { kind: 'expired' };
    }
    // Only if the number is still the one the code was sent to (a newer save may have changed it).
    if (!(await confirmPhone(db, accountId, counted.phone))) return { kind: 'none' };
    await setNotificationModes(db, accountId, { smsMode: 'each' });
    await deletePhoneConfirmation(db, accountId);
    return { kind: 'confirmed', phone: counted.phone };
  });
}
