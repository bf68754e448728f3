import { inTransaction, type Db } from './connect.js';
import type { EmailNotificationMode, SmsNotificationMode } from './database.js';

/** A client's choices, defaults filled in. SMS count only with a confirmed phone. */
export interface NotificationPreferences {
  emailMode: EmailNotificationMode;
  smsMode: SmsNotificationMode;
  phone: string | null;
  phoneConfirmed: boolean;
}

export const defaultNotificationPreferences: NotificationPreferences = {
  emailMode: 'each',
  smsMode: 'none',
  phone: null,
  phoneConfirmed: false,
};

export async function notificationPreferences(db: Db, accountId: string): Promise<NotificationPreferences> {
  const row = await db
    .selectFrom('notification_preferences')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!row) return { ...defaultNotificationPreferences };
  return {
    emailMode: row.email_mode,
    smsMode: row.sms_mode,
    phone: row.phone,
    phoneConfirmed: row.phone_confirmed_at !== null,
  };
}

/** Changes the modes given, keeping the rest. */
export async function setNotificationModes(
  db: Db,
  accountId: string,
  modes: { emailMode?: EmailNotificationMode; smsMode?: SmsNotificationMode },
): Promise<void> {
  const set = {
    ...(modes.emailMode ? { email_mode: modes.emailMode } : {}),
    ...(modes.smsMode ? { sms_mode: modes.smsMode } : {}),
  };
  await db
    .insertInto('notification_preferences')
    .values({ account_id: accountId, phone: null, phone_confirmed_at: null, ...set })
    .onConflict((oc) => oc.column('account_id').doUpdateSet({ ...set, updated_at: new Date() }))
    .execute();
}

/** Records a phone number, unconfirmed (a new number always needs a new confirmation). */
export async function setUnconfirmedPhone(db: Db, accountId: string, phone: string | null): Promise<void> {
  await db
    .insertInto('notification_preferences')
    .values({ account_id: accountId, phone, phone_confirmed_at: null })
    .onConflict((oc) =>
      oc.column('account_id').doUpdateSet({ phone, phone_confirmed_at: null, updated_at: new Date() }),
    )
    .execute();
}

/** Marks the phone confirmed, only if it is still the number that was confirmed. */
export async function confirmPhone(db: Db, accountId: string, phone: string): Promise<boolean> {
  const result = await db
    .updateTable('notification_preferences')
    .set({ phone_confirmed_at: new Date(), updated_at: new Date() })
    .where('account_id', '=', accountId)
    .where('phone', '=', phone)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Keeps a one-click unsubscribe token (its digest only) for an account. */
export async function storeUnsubscribeToken(db: Db, accountId: string, tokenHash: string): Promise<void> {
  await db
    .insertInto('notification_unsubscribe_tokens')
    .values({ token_hash: tokenHash, account_id: accountId, used_at: null })
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .execute();
}

/** Whether a token (by digest) is one we gave out; it stays valid after use (a second click is a no-op). */
export async function unsubscribeTokenExists(db: Db, tokenHash: string): Promise<boolean> {
  const row = await db
    .selectFrom('notification_unsubscribe_tokens')
    .select('account_id')
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row !== undefined;
}

/** One-click unsubscribe: the token's account gets no more answer e-mails (mode `none`), in one
 * transaction with marking the token used. False when the token is unknown. */
export async function unsubscribeByToken(db: Db, tokenHash: string): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const row = await tx
      .updateTable('notification_unsubscribe_tokens')
      .set({ used_at: new Date() })
      .where('token_hash', '=', tokenHash)
      .returning('account_id')
      .executeTakeFirst();
    if (!row) return false;
    await setNotificationModes(tx, row.account_id, { emailMode: 'none' });
    return true;
  });
}

/** The pending confirmation of a phone number, if any. */
export async function pendingPhoneConfirmation(db: Db, accountId: string) {
  return db.selectFrom('phone_confirmations').selectAll().where('account_id', '=', accountId).executeTakeFirst();
}

/** Keeps a new code for a number, replacing any earlier one (its tries start again at 0). */
export async function savePhoneConfirmation(
  db: Db,
  confirmation: { accountId: string; phone: string; codeDigest: string; expiresAt: Date },
): Promise<void> {
  const values = {
    phone: confirmation.phone,
    code_digest: confirmation.codeDigest,
    attempts: 0,
    expires_at: confirmation.expiresAt,
    sent_at: new Date(),
  };
  await db
    .insertInto('phone_confirmations')
    .values({ account_id: confirmation.accountId, ...values })
    .onConflict((oc) => oc.column('account_id').doUpdateSet(values))
    .execute();
}

/**
 * Counts one try at the pending code, atomically, only while it is live and has tries left:
 * two requests at once cannot both get the fifth try. Undefined when no try is left.
 */
export async function countPhoneConfirmationTry(db: Db, accountId: string, maxTries: number, now: Date) {
  return db
    .updateTable('phone_confirmations')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('account_id', '=', accountId)
    .where('attempts', '<', maxTries)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
}

export async function deletePhoneConfirmation(db: Db, accountId: string): Promise<void> {
  await db.deleteFrom('phone_confirmations').where('account_id', '=', accountId).execute();
}
