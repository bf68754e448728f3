// The Vilogi sync, step by step, each step safe to repeat: the Vilogi request id is the
// idempotency key (a unique row claimed in the same transaction as the conversation it creates),
// the conversation's issue is the existing mirror's (conversationWorkflow), the triage issue is
// found again by its marker, and Vilogi's two writes carry our reference. The steps live in
// vilogi/, one file per family: files, import, triage issue, processing, replies.
import { Context } from '@temporalio/activity';
import type { VilogiRunError } from '../db/database.js';
import { finishRun, startRun, type RunCounts } from '../db/vilogi.js';
import {
  concurrencyOf,
  settingsOf,
  type ImportResult,
  type ProcessResultItem,
  type VilogiActivityDeps,
  type VilogiSettings,
} from './vilogi/deps.js';
import { createFileSteps } from './vilogi/files.js';
import { createImportSteps } from './vilogi/import.js';
import { createProcessSteps } from './vilogi/process.js';
import { createReplySteps } from './vilogi/replies.js';
import { createTriageSteps } from './vilogi/triage.js';

export type {
  ImportOutcome,
  ImportResult,
  ProcessOutcome,
  ProcessResultItem,
  VilogiActivityDeps,
  VilogiSettings,
} from './vilogi/deps.js';

/** Requests listed per run at most; the rest wait for the next run. */
const MAX_PER_RUN = 5000;

export function createVilogiActivities(deps: VilogiActivityDeps) {
  const { db, vilogi } = deps;
  const settings = (): VilogiSettings => settingsOf(vilogi);
  const files = createFileSteps(settings, deps.storage);
  const { importMany } = createImportSteps(deps, settings, files, createTriageSteps(deps, settings, files));
  const { processMany } = createProcessSteps(deps, settings);

  return {
    async startVilogiRun(input: { runId: string; trigger: 'schedule' | 'manual' }): Promise<void> {
      await startRun(db, input.runId, input.trigger);
    },

    /** Every pending request id, in filing order (all pages; a run starts from the first). */
    async listVilogiPending(): Promise<string[]> {
      const ids: string[] = [];
      let after: string | undefined;
      do {
        const page = await settings().client.listPending({ after, limit: 200 });
        ids.push(...page.requests.map((r) => r.id));
        after = page.nextCursor ?? undefined;
        Context.current().heartbeat(ids.length);
      } while (after !== undefined && ids.length < MAX_PER_RUN);
      return [...new Set(ids)].slice(0, MAX_PER_RUN);
    },

    /** Imports a page of requests, VILOGI_IMPORT_CONCURRENCY shared by the `share` pages the
     * run has going at once. With `process`, the notifications of those imported are processed
     * right after (those whose issue is not created yet come back 'waiting'). A request that
     * fails is reported, not thrown, so the others go on. */
    async importVilogiRequests(input: {
      runId: string;
      ids: string[];
      process?: boolean;
      share?: number;
    }): Promise<ImportResult[]> {
      const concurrency = concurrencyOf(settings(), input.share);
      const results = await importMany(input.runId, input.ids, concurrency);
      if (!input.process) return results;
      const imported = results.filter((r) => r.outcome !== 'failed').map((r) => r.id);
      const processed = new Map((await processMany(imported, concurrency)).map((p) => [p.id, p]));
      return results.map((r) => {
        const p = processed.get(r.id);
        return p ? { ...r, processed: p.outcome, ...(p.error !== undefined ? { processError: p.error } : {}) } : r;
      });
    },

    /** Processes the notifications of a page ("Espace client"), once each, a few at a time. */
    async processVilogiRequests(input: { ids: string[]; share?: number }): Promise<ProcessResultItem[]> {
      return processMany(input.ids, concurrencyOf(settings(), input.share));
    },

    ...createReplySteps(deps),

    async finishVilogiRun(input: {
      runId: string;
      status: 'done' | 'failed';
      counts: RunCounts;
      errors: VilogiRunError[];
    }): Promise<void> {
      await finishRun(db, input.runId, input.status, input.counts, input.errors);
    },
  };
}
