// What the preferences page shows: the client's choices (or what they typed, on a refused form),
// the number as a person reads it, and the pending confirmation. Pages never see a database row.
import type { Locale } from '../../../db/database.js';
import type { NotificationPreferences } from '../../../db/notification-preferences.js';
import { displayPhone } from '../../../domain/phone.js';

export interface PreferencesForm {
  emailMode: string;
  smsMode: string;
  phone: string;
  locale: string;
}

export interface PreferencesView {
  form: PreferencesForm;
  /** The stored number, for the status line; null when none. */
  phone: { display: string; confirmed: boolean } | null;
  /** A code is waiting to be typed for this number. */
  pending: { phone: string } | null;
  codeMinutes: number;
}

export function preferencesView(
  prefs: NotificationPreferences,
  locale: Locale,
  /** The number a code was last sent to, if one waits. */
  pendingPhone: string | undefined,
  codeMinutes: number,
): PreferencesView {
  const phone = prefs.phone ? { display: displayPhone(prefs.phone), confirmed: prefs.phoneConfirmed } : null;
  // A client who asked for SMS and waits for their code sees "each" chosen.
  const waiting = prefs.phone !== null && !prefs.phoneConfirmed && pendingPhone === prefs.phone;
  return {
    form: {
      emailMode: prefs.emailMode,
      smsMode: waiting ? 'each' : prefs.smsMode,
      phone: phone?.display ?? '',
      locale,
    },
    phone,
    pending: waiting && phone ? { phone: phone.display } : null,
    codeMinutes,
  };
}
