// View models of the sign-in pages: the flash of the sign-in page, why a staff sign-in was refused.
import type { Messages } from '../../../i18n/index.js';
import type { StaffLoginResult } from '../../../app/staff-login.js';

export type Flash = { kind: 'info'; text: string } | undefined;

/** The client sign-in page's note: after an expired session, or after signing out. */
export function signInFlash(t: Messages, query: { expire?: string; out?: string }): Flash {
  if (query.expire) return { kind: 'info', text: t.login.expired };
  if (query.out) return { kind: 'info', text: t.login.loggedOut };
  return undefined;
}

export type StaffLoginRefusal = Extract<StaffLoginResult, { ok: false }>['reason'];

/** What a refused staff sign-in through Redmine says, and its status. */
export function staffLoginRefusal(t: Messages, reason: StaffLoginRefusal): { message: string; status: 401 | 503 } {
  const message = {
    refused: t.staffLogin.failed,
    unavailable: t.staffLogin.redmineUnavailable,
    misconfigured: t.staffLogin.redmineMisconfigured,
  }[reason];
  return { message, status: reason === 'refused' ? 401 : 503 };
}
