// What the Vilogi page shows, made from the sync's runs and the requests waiting in triage.
import type { VilogiRequestRow, VilogiRun } from '../../../db/database.js';

/** One run of the sync, with its counts; `interrupted`: still marked running, its workflow stopped. */
export interface VilogiRunView {
  id: string;
  trigger: 'schedule' | 'manual';
  startedAt: Date;
  state: 'running' | 'interrupted' | 'done' | 'failed';
  fetched: number;
  created: number;
  known: number;
  triage: number;
  processed: number;
  failed: number;
  errors: Array<{ requestId: string | null; message: string }>;
}

/** A request filed in triage. */
export interface TriageItem {
  vilogiId: string;
  subject: string;
  filedAt: Date;
  authorName: string;
  authorEmail: string | null;
  service: string;
  building: string | null;
  lot: string | null;
  redmineIssueId: number | null;
}

export interface VilogiPageData {
  configured: boolean;
  everyMinutes: number;
  runs: VilogiRunView[];
  triage: TriageItem[];
}

export function vilogiRunViewOf(run: VilogiRun, interrupted: ReadonlySet<string>): VilogiRunView {
  return {
    id: run.id,
    trigger: run.trigger,
    startedAt: run.started_at,
    state: run.status === 'running' && interrupted.has(run.id) ? 'interrupted' : run.status,
    fetched: run.fetched,
    created: run.created,
    known: run.known,
    triage: run.triage,
    processed: run.processed,
    failed: run.failed,
    errors: run.errors,
  };
}

export function triageItemOf(request: VilogiRequestRow): TriageItem {
  return {
    vilogiId: request.vilogi_id,
    subject: request.subject,
    filedAt: request.filed_at,
    authorName: request.author_name,
    authorEmail: request.author_email,
    service: request.service,
    building: request.building,
    lot: request.lot,
    redmineIssueId: request.redmine_issue_id,
  };
}
