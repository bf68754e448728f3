// The case page's assignment and notepad sections' data (staff only), read for the documents
// feature's staff case page: not a route, so that other features may call it.
import { listCaseNotes, staffMembers } from '../../../../db/case-list.js';
import type { Db } from '../../../../db/connect.js';
import type { Case } from '../../../../db/database.js';
import { collaborator, noteItem, type CaseWork } from './view-models.js';

/** What the case page's assignment and notepad sections need. */
export async function caseWork(db: Db, query: { fait?: string; erreur?: string }, kase: Case): Promise<CaseWork> {
  const [staff, notes] = await Promise.all([staffMembers(db), listCaseNotes(db, kase.id)]);
  const done = query.fait === 'attribue' ? 'assigned' : query.fait === 'note' ? 'noted' : undefined;
  const error =
    query.erreur === 'collaborateur'
      ? 'unknown-assignee'
      : query.erreur === 'note-vide'
        ? 'note-empty'
        : query.erreur === 'note-longue'
          ? 'note-long'
          : undefined;
  return { staff: staff.map(collaborator), notes: notes.map(noteItem), done, error };
}
