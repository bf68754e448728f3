// What the case list's pages show, as view models: a listed case, a collaborator, a notepad
// entry, a space to filter by. The database's rows are mapped here; pages import only these.
import type { CaseListRow, CaseNote, StaffMember } from '../../../../db/case-list.js';
import type { CaseDownloadState } from '../../../../db/case-record.js';
import type { CaseStatus, PaymentState } from '../../../../db/database.js';

export { UNASSIGNED } from '../../../../db/case-list.js';
export type { CaseStatus, PaymentState };

/** Have the client's people downloaded the case's files (seed 003's states)? */
export type DownloadState = CaseDownloadState;

export interface CaseListItem {
  id: string;
  number: string;
  title: string;
  status: CaseStatus;
  paymentState: PaymentState;
  paymentAmountCents: number | null;
  createdAt: Date;
  clientName: string;
  clientEmail: string;
  spaceName: string;
  assigneeName: string | null;
}

export interface Collaborator {
  id: string;
  fullName: string;
}

export interface NoteItem {
  body: string;
  createdAt: Date;
  authorName: string | null;
}

export interface SpaceChoice {
  id: string;
  name: string;
}

/** A case as the assignment and notepad sections need it. */
export interface AssignableCase {
  id: string;
  assignee_account_id: string | null;
}

export interface CaseListQuery {
  q: string;
  spaceId?: string | undefined;
  status?: CaseStatus | undefined;
  payment?: PaymentState | undefined;
  assignee?: string | undefined;
}

export interface CaseListView {
  query: CaseListQuery;
  spaces: SpaceChoice[];
  staff: Collaborator[];
  items: CaseListItem[];
  total: number;
  page: number;
  pages: number;
  rowsPerPage: number;
  rowsMin: number;
  rowsMax: number;
  /** What was typed in "rows per page" when it was refused. */
  rowsAsked?: string | undefined;
  /** Per case shown: have the client's people downloaded its files? */
  downloads: ReadonlyMap<string, DownloadState>;
}

export interface CaseWork {
  staff: Collaborator[];
  notes: NoteItem[];
  /** After a redirect: what was just done, or why nothing was. */
  done?: 'assigned' | 'noted' | undefined;
  error?: 'unknown-assignee' | 'note-empty' | 'note-long' | undefined;
}

export function caseListItem(row: CaseListRow): CaseListItem {
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    status: row.status,
    paymentState: row.paymentState,
    paymentAmountCents: row.paymentAmountCents,
    createdAt: row.createdAt,
    clientName: row.clientName,
    clientEmail: row.clientEmail,
    spaceName: row.spaceName,
    assigneeName: row.assigneeName,
  };
}

export function collaborator(member: StaffMember): Collaborator {
  return { id: member.id, fullName: member.fullName };
}

export function noteItem(note: CaseNote): NoteItem {
  return { body: note.body, createdAt: note.createdAt, authorName: note.authorName };
}

export function spaceChoice(space: { id: string; name: string }): SpaceChoice {
  return { id: space.id, name: space.name };
}
