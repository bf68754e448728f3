// The hourly purge of ended sessions and spent rate-limit counters (a Temporal schedule,
// runtime/session-purge.ts). Ended sessions are refused already (db/sessions.ts findLiveSession);
// this keeps their rows, with the address and browser they hold, no longer than needed.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

export interface SessionPurgeInput {
  idleMinutes: number;
  maxHours: number;
}

export interface SessionPurgeResult {
  sessions: number;
  rateLimits: number;
}

const { purgeEndedSessions } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2, maximumAttempts: 10 },
});

export function sessionPurgeScheduleId(taskQueue: string): string {
  return `session-purge-${taskQueue}`;
}

export async function sessionPurgeWorkflow(input: SessionPurgeInput): Promise<SessionPurgeResult> {
  return purgeEndedSessions(input);
}
