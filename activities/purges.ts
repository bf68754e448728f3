// The purge schedule's step (workflows/data-purge.ts): one bounded batch of one kind of row per
// call, heartbeating while it runs. A batch deletes by age, so a retried or repeated call deletes
// only what is still due: harmless to repeat.
import type { Db } from '../db/connect.js';
import { purgeBatch, type PurgeOptions } from '../db/purges.js';
import type { PurgeKind } from '../domain/purges.js';
import { whileAlive } from './heartbeat.js';

export interface PurgeActivityDeps {
  db: Db;
}

export interface PurgeBatchInput extends PurgeOptions {
  kind: PurgeKind;
  limit: number;
}

export function createPurgeActivities({ db }: PurgeActivityDeps) {
  return {
    /** Deletes up to `limit` rows of `kind`; `more` when the batch was full (others may be due). */
    async purgeRows(input: PurgeBatchInput): Promise<{ deleted: number; more: boolean }> {
      const deleted = await whileAlive(() => purgeBatch(db, input.kind, input, input.limit));
      return { deleted, more: deleted >= input.limit };
    },
  };
}
