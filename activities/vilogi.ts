// The Vilogi sync, step by step, each step safe to repeat: the Vilogi request id is the
// idempotency key (a unique row claimed in the same transaction as the conversation it creates),
// the conversation's issue is the existing mirror's (conversationWorkflow), the triage issue is
// found again by its marker, and Vilogi's two writes carry our reference. The steps live in
// vilogi/, one file per family: files, import, triage issue, processing, replies.
import { Context } from '@temporalio/activity';
import type { VilogiRunError } from '../db/database.js';
import { finishRun, startRun, type RunCounts } from '../db/vilogi.js';
import {
  message,
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
  const { importOne } = createImportSteps(deps, settings, files, createTriageSteps(deps, settings, files));
  const { processOne } = createProcessSteps(deps, settings);

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

    /** Imports a batch; a request that fails is reported, not thrown, so the others go on. */
    async importVilogiRequests(input: { runId: string; ids: string[] }): Promise<ImportResult[]> {
      const results: ImportResult[] = [];
      for (const id of input.ids) {
        try {
          results.push({ id, outcome: await importOne(input.runId, id) });
        } catch (err) {
          results.push({ id, outcome: 'failed', error: message(err) });
        }
        Context.current().heartbeat(results.length);
      }
      return results;
    },

    /** Processes the notifications of a batch ("Espace client"), once each. */
    async processVilogiRequests(input: { ids: string[] }): Promise<ProcessResultItem[]> {
      const results: ProcessResultItem[] = [];
      for (const id of input.ids) {
        try {
          results.push({ id, outcome: await processOne(id) });
        } catch (err) {
          results.push({ id, outcome: 'failed', error: message(err) });
        }
        Context.current().heartbeat(results.length);
      }
      return results;
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
