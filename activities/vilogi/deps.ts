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
