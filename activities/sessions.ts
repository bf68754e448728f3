// The session purge's step (workflows/session-purge.ts): one statement per table, harmless to
// repeat.
import type { Db } from '../db/connect.js';
import { deleteIdleSessions } from '../db/sessions.js';
import { deleteExpiredRateLimits } from '../app/rate-limits.js';

export interface SessionActivityDeps {
  db: Db;
}

export function createSessionActivities({ db }: SessionActivityDeps) {
  return {
    /** Deletes the sessions past their idle or absolute limit and the rate-limit counters whose
     * window ended. */
    async purgeEndedSessions(input: {
      idleMinutes: number;
      maxHours: number;
    }): Promise<{ sessions: number; rateLimits: number }> {
      const sessions = await deleteIdleSessions(db, input);
      const rateLimits = await deleteExpiredRateLimits(db);
      return { sessions, rateLimits };
    },
  };
}
