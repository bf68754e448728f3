// The view model of a case page (client and staff), shared by the document and contributor pages.
import type { CaseRecordView } from '../../../app/case-record.js';
import type { CaseAccessKind, RolePermissions, TemplateRole } from '../../../domain/contributor-access.js';
import type { CategoryStateView } from '../documents/view-models.js';
import type { CaseHeading, PersonView } from '../contributors/view-models.js';
import type { CaseWork } from './list/view-models.js';
import type { CaseRecordTyped, RecordCase } from './record/view-models.js';

/** What the case pages read of the case itself (a case row fits it as it is). */
export interface CasePageCase extends CaseHeading, RecordCase {
  assignee_account_id: string | null;
  /** When the case's documents were purged after its closing (retention), if they were. */
  purged_at: Date | null;
}

export interface CaseView {
  kase: CasePageCase;
  clientName: string;
  templateName: string;
  states: readonly CategoryStateView[];
  lastComment?: { body: string; created_at: Date } | undefined;
  /** Staff page only: assignment and notepad. */
  work?: CaseWork | undefined;
  /** The client-space viewer's access (absent: staff). */
  access?: { kind: CaseAccessKind; role: string | null; permissions: RolePermissions; accountId: string };
  /** The people the case is shared with: for staff and the main client only. */
  people?: {
    members: readonly (PersonView & { accountId: string })[];
    roles: TemplateRole[];
    viewer: 'staff' | 'owner';
    mayInvite: boolean;
  };
  /** The case record (seed 003): payment, steps, files and their downloads. */
  record?: (CaseRecordView & { typed?: CaseRecordTyped }) | undefined;
}
