// Liveness for long activities: a worker that dies mid-activity (SIGKILL, a lost machine) stops
// heartbeating, so Temporal hands the activity to another worker after the heartbeat timeout
// instead of waiting for the whole start-to-close timeout (10 minutes for a client message and
// its files). The beat says only "this process is alive and still on it": it is no deadline and
// waits for nothing, so a slow Redmine never makes a live attempt time out (the start-to-close
// timeout still bounds a hung one).
import { Context } from '@temporalio/activity';

/** How often a running activity says it is alive; well under any heartbeat timeout we set. */
const BEAT_MS = 5_000;

/** Runs `work`, heartbeating every few seconds while it runs when inside an activity. */
export async function whileAlive<T>(work: () => Promise<T>): Promise<T> {
  let context: Context | undefined;
  try {
    context = Context.current();
  } catch {
    // Not in an activity (a plain call): nothing to tell.
  }
  if (!context) return work();
  const current = context;
  current.heartbeat();
  const beat = setInterval(() => current.heartbeat(), BEAT_MS);
  try {
    return await work();
  } finally {
    clearInterval(beat);
  }
}
