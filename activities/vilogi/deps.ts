// What the Vilogi sync's activities need and what they report, shared by each family of steps.
import type { Db } from '../../db/connect.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import type { VilogiClient } from '../../connectors/vilogi/index.js';
import type { FileStorage } from '../../app/file-storage.js';
import type { WorkflowGateway } from '../../app/workflow-gateway.js';

export interface VilogiSettings {
  client: VilogiClient;
  /** Vilogi service (lower case) → Redmine project identifier; `*` for any other service. */
  services: Map<string, string>;
  /** Space slug → Redmine project identifier (REDMINE_PROJECTS): a project's space gets the conversation. */
  redmineProjects: Map<string, string>;
  /** Where requests without a usable e-mail go (resolved at start-up; none without Redmine). */
  triageProjectId: number | undefined;
  /** Signals the conversation workflow that mirrors the new conversation to Redmine. */
  conversations: Pick<WorkflowGateway, 'clientMessage'>;
  /** Requests handled at once by a run (VILOGI_IMPORT_CONCURRENCY); 1 when not given. */
  importConcurrency?: number;
}

export interface VilogiActivityDeps {
  db: Db;
  redmine: RedmineMirrorContext | undefined;
  storage: FileStorage;
  publicUrl: string;
  vilogi?: VilogiSettings | undefined;
}

export type ImportOutcome = 'created' | 'known' | 'triage' | 'failed';
export type ProcessOutcome = 'processed' | 'already' | 'waiting' | 'failed';

export interface ImportResult {
  id: string;
  outcome: ImportOutcome;
  error?: string;
  /** When the import was asked to process too: what processing the notification gave. */
  processed?: ProcessOutcome;
  processError?: string;
}

export interface ProcessResultItem {
  id: string;
  outcome: ProcessOutcome;
  error?: string;
}

/** How long after its import a request's exchange still goes back to Vilogi. */
export const REPLY_WINDOW_DAYS = 60;

/** An error as a run records it: its message, cut. */
export function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}

/** The settings, or an error when Vilogi is not configured. */
export function settingsOf(vilogi: VilogiSettings | undefined): VilogiSettings {
  if (!vilogi) throw new Error('Vilogi is not configured (VILOGI_URL)');
  return vilogi;
}

/** How many of a run's requests one activity handles at once: the configured concurrency shared
 * among the activities the workflow runs side by side (`share`). */
export function concurrencyOf(settings: VilogiSettings, share = 1): number {
  return Math.max(1, Math.ceil((settings.importConcurrency ?? 1) / Math.max(1, share)));
}

/** Runs `step` over the items, at most `limit` at a time; the results keep the items' order.
 * `step` reports its failures in its result: a throw rejects the whole map. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  step: (item: T) => Promise<R>,
  onDone?: (done: number) => void,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  async function lane(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      out[i] = await step(items[i]!);
      onDone?.(++done);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}
