// The purge of rows that only grow (a Temporal schedule, runtime/data-purge.ts): expired
// Idempotency-Key records, change-feed rows older than API_CHANGES_RETENTION_DAYS, spent
// unsubscribe links, expired phone confirmation codes, webhook deliveries delivered more than
// 30 days ago and the events nothing refers to any more. Each batch is its own activity call
// (bounded, heartbeating, harmless to repeat); a run takes at most MAX_BATCHES per kind and the
// next run takes the rest, so the history stays short.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { PURGE_KINDS, type PurgeKind } from '../domain/purges.js';

export interface DataPurgeInput {
  apiChangesRetentionDays: number;
  /** Rows per batch (tests use small ones). */
  batchSize?: number;
}

export type DataPurgeResult = Record<PurgeKind, number>;

const BATCH = 1_000;
/** Batches per kind and run at most (the next run takes the rest). */
const MAX_BATCHES = 50;

const { purgeRows } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', backoffCoefficient: 2, maximumAttempts: 10 },
});

export function dataPurgeScheduleId(taskQueue: string): string {
  return `data-purge-${taskQueue}`;
}

export async function dataPurgeWorkflow(input: DataPurgeInput): Promise<DataPurgeResult> {
  const limit = input.batchSize ?? BATCH;
  const result = Object.fromEntries(PURGE_KINDS.map((k) => [k, 0])) as DataPurgeResult;
  for (const kind of PURGE_KINDS) {
    for (let i = 0; i < MAX_BATCHES; i++) {
      const { deleted, more } = await purgeRows({
        kind,
        limit,
        apiChangesRetentionDays: input.apiChangesRetentionDays,
      });
      result[kind] += deleted;
      if (!more) break;
    }
  }
  return result;
}
