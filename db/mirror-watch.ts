// "A client is looking": client pages note that they were served, the Redmine poll reads how long
// ago that was and keeps its fast pace meanwhile (issue #18). One row for the deployment
// (migration 029), shared by every server process; the write is throttled in its WHERE clause.
import { sql } from 'kysely';
import type { Db } from './connect.js';

/**
 * The shortest gap between two writes of the row: a page view within this much of the last
 * written one writes nothing (PostgreSQL skips the row without locking it), so busy client pages
 * cost at most one row update per this many seconds, whichever process serves them.
 */
export const WATCH_WRITE_EVERY_SECONDS = 10;

/** A client page was just served: remember it (at most one write per WATCH_WRITE_EVERY_SECONDS). */
export async function noteClientLooking(db: Db): Promise<void> {
  await sql`update mirror_watch set seen_at = now()
    where id = 1 and seen_at < now() - make_interval(secs => ${WATCH_WRITE_EVERY_SECONDS})`.execute(db);
}

/**
 * How long ago (ms, by PostgreSQL's clock) a client page was last noted; null when never. The
 * figure lags the real last view by up to WATCH_WRITE_EVERY_SECONDS (the throttle).
 */
export async function clientLookedMsAgo(db: Db): Promise<number | null> {
  const { rows } = await sql<{ ago: number | string | null }>`
    select extract(epoch from now() - seen_at) * 1000 as ago
    from mirror_watch where id = 1 and seen_at > to_timestamp(0)`.execute(db);
  const ago = rows[0]?.ago;
  return ago === undefined || ago === null ? null : Math.max(0, Number(ago));
}
