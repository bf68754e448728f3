// The staff access re-check's step (workflows/staff-access.ts): a batch of Redmine-linked staff
// accounts read again from Redmine with the integration user's key; those Redmine no longer lets
// in lose the back-office, sessions included.
import type { Db } from '../db/connect.js';
import { recheckStaffBatch, type RecheckResult, type StaffAccessSettings } from '../app/staff-access.js';

export interface StaffAccessActivityDeps {
  db: Db;
  /** Set when staff sign in through Redmine. */
  staffAccess?: StaffAccessSettings | undefined;
}

export function createStaffAccessActivities({ db, staffAccess }: StaffAccessActivityDeps) {
  return {
    /** Up to `limit` accounts not checked since `checkedBefore` (ISO time), oldest check first. */
    async recheckStaffAccess(input: { checkedBefore: string; limit: number }): Promise<RecheckResult> {
      if (!staffAccess) return { checked: 0, revoked: 0, sessionsEnded: 0, more: false };
      return recheckStaffBatch(db, staffAccess, { checkedBefore: new Date(input.checkedBefore), limit: input.limit });
    },
  };
}
