// What the case record's sections show, as view models: the case's record fields, its files
// with their downloads, its steps, and what staff typed in a refused form. The case and the
// record loaded by app/case-record.ts fit these shapes as they are (the documents feature passes
// them); the pages import only these.
import type { CaseDownloadState, CaseStep, FileAccess } from '../../../../db/case-record.js';
import type { PaymentState } from '../../../../db/database.js';
import type { UnpaidMode, UnpaidRestriction } from '../../../../domain/downloads.js';

export type { CaseDownloadState, CaseStep, FileAccess, PaymentState, UnpaidMode, UnpaidRestriction };

/** What staff typed in a refused form, shown again as typed. */
export interface CaseRecordTyped {
  summary?: string;
  conclusions?: string;
  amount?: string;
}

/** The case's own record fields. */
export interface RecordCase {
  id: string;
  summary: string;
  conclusions: string[];
  payment_state: PaymentState;
  payment_amount_cents: number | null;
}

export interface RecordFile {
  id: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  page_count: number | null;
  created_at: Date;
  downloads: { clientCount: number; totalCount: number; history: FileAccess[] };
}

/** The record as the sections show it: files, steps, downloads and the unpaid-cases rule now. */
export interface RecordView {
  files: RecordFile[];
  steps: CaseStep[];
  downloadState: CaseDownloadState;
  exempt: boolean;
  restriction: UnpaidRestriction;
}
