// The view model of a case page (client and staff), shared by the document and contributor pages.
import type { CaseRecordView } from '../../../app/case-record.js';
import type { MemberView } from '../../../db/contributors.js';
import type { Case } from '../../../db/database.js';
import type { CaseAccessKind, RolePermissions, TemplateRole } from '../../../domain/contributor-access.js';
import type { CategoryState } from '../../../db/documents.js';
import type { CaseWork } from './list/view-models.js';
import type { CaseRecordTyped } from './record/view-models.js';

export interface CaseView {
  kase: Case;
  clientName: string;
  templateName: string;
  states: CategoryState[];
  lastComment?: { body: string; created_at: Date } | undefined;
  /** Staff page only: assignment and notepad. */
  work?: CaseWork | undefined;
  /** The client-space viewer's access (absent: staff). */
  access?: { kind: CaseAccessKind; role: string | null; permissions: RolePermissions; accountId: string };
  /** The people the case is shared with: for staff and the main client only. */
  people?: { members: MemberView[]; roles: TemplateRole[]; viewer: 'staff' | 'owner'; mayInvite: boolean };
  /** The case record (seed 003): payment, steps, files and their downloads. */
  record?: (CaseRecordView & { typed?: CaseRecordTyped }) | undefined;
}
