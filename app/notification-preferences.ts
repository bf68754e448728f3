// Saving a client's notification preferences (issue #15): e-mail for each answer, a daily summary
// or none; SMS for each answer or none, with a phone number that must be confirmed by a code sent
// by SMS (app/phone-confirmation.ts); the language of notifications (the account's `locale`).
// Everything is written in one transaction, the confirmation SMS included: when it cannot go,
// nothing is stored. The delivery side (grace window, digest, summary) only reads these choices.
import { inTransaction } from '../db/connect.js';
import { setLocale } from '../db/accounts.js';
import type { EmailNotificationMode, Locale, SmsNotificationMode } from '../db/database.js';
import {
  deletePhoneConfirmation,
  notificationPreferences,
  pendingPhoneConfirmation,
  setNotificationModes,
  setUnconfirmedPhone,
} from '../db/notification-preferences.js';
import { PHONE_CODE_TRIES, sendPhoneCode, type PhoneCodeDeps } from './phone-confirmation.js';

export interface PreferencesInput {
  emailMode: EmailNotificationMode;
  smsMode: SmsNotificationMode;
  /** E.164, or null for no number. `smsMode: 'each'` needs one. */
  phone: string | null;
  locale: Locale;
}

export interface SaveOutcome {
  /** A confirmation code went out by SMS (the number is new, or its earlier code is spent). */
  codeSent: boolean;
}

/**
 * Saves the choices. SMS for each answer is on only with a confirmed number: a new number (or one
 * not yet confirmed) gets a code and SMS stay off until it comes back. `beforeSend` runs just
 * before a code is sent (the route counts it against the rate limit; a refusal undoes the save).
 */
export async function saveNotificationPreferences(
  deps: PhoneCodeDeps,
  accountId: string,
  input: PreferencesInput,
  beforeSend: () => Promise<void> = async () => undefined,
): Promise<SaveOutcome> {
  const now = deps.now?.() ?? new Date();
  return inTransaction(deps.db, async (tx) => {
    const current = await notificationPreferences(tx, accountId);
    await setLocale(tx, accountId, input.locale);
    let smsMode: SmsNotificationMode = input.smsMode;
    let codeSent = false;
    if (input.phone === null) {
      if (current.phone !== null) await setUnconfirmedPhone(tx, accountId, null);
      await deletePhoneConfirmation(tx, accountId);
      smsMode = 'none';
    } else if (current.phone !== input.phone || !current.phoneConfirmed) {
      // A new number always needs its own confirmation.
      if (current.phone !== input.phone) await setUnconfirmedPhone(tx, accountId, input.phone);
      const pending = await pendingPhoneConfirmation(tx, accountId);
      const live =
        pending !== undefined &&
        pending.phone === input.phone &&
        pending.expires_at > now &&
        pending.attempts < PHONE_CODE_TRIES;
      if (input.smsMode === 'each' && !live) {
        await beforeSend();
        await sendPhoneCode(deps, accountId, input.phone, input.locale, tx);
        codeSent = true;
      }
      if (pending && pending.phone !== input.phone && !codeSent) await deletePhoneConfirmation(tx, accountId);
      smsMode = 'none';
    }
    await setNotificationModes(tx, accountId, { emailMode: input.emailMode, smsMode });
    return { codeSent };
  });
}

/** Sends a new code to the number waiting for confirmation; false when there is none. */
export async function resendPhoneCode(
  deps: PhoneCodeDeps,
  accountId: string,
  locale: Locale,
  beforeSend: () => Promise<void>,
): Promise<boolean> {
  const current = await notificationPreferences(deps.db, accountId);
  if (current.phone === null || current.phoneConfirmed) return false;
  await beforeSend();
  await sendPhoneCode(deps, accountId, current.phone, locale);
  return true;
}
