// Staff's writes from the case list: assigning a case to a colleague (or to no one) and writing on
// its notepad. Each write and its audit entry happen in one transaction; when the case has a
// Redmine issue, the private note is started last inside it (Temporal unreachable: nothing kept).
// The note is in French, the agency's language, whatever the staff member's.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.js';
import { addCaseNote, assignCase } from '../db/case-list.js';
import { messages } from '../i18n/index.js';
import { auditStaff, type StaffActor } from './actor.js';
import type { WorkflowGateway } from './workflow-gateway.js';

/** A staff member writing on a case: the Redmine note names them. */
export interface NamedStaffActor extends StaffActor {
  fullName: string;
}

export interface ListedCase {
  id: string;
  redmineIssueId: number | null;
}

const agency = () => messages('fr').caseList;

/** Assigns the case; nothing is written (nor told) when the case is already so assigned. */
export function assignStaffCase(
  db: Db,
  workflows: Pick<WorkflowGateway, 'caseNote'>,
  actor: NamedStaffActor,
  kase: ListedCase,
  assignee: { id: string; fullName: string } | null,
): Promise<void> {
  const to = assignee?.id ?? null;
  return db.transaction().execute(async (tx) => {
    const result = await assignCase(tx, kase.id, to);
    if (!result || result.previous === to) return;
    await auditStaff(tx, actor, {
      action: 'case.assign',
      subjectType: 'case',
      subjectId: kase.id,
      details: { from: result.previous, to },
    });
    if (kase.redmineIssueId !== null) {
      const text = assignee
        ? agency().redmineAssigned(assignee.fullName, actor.fullName)
        : agency().redmineUnassigned(actor.fullName);
      await workflows.caseNote(kase.id, `assign-${randomUUID()}`, text);
    }
  });
}

/** Adds an entry to the case's notepad, written by the actor. */
export function addNotepadEntry(
  db: Db,
  workflows: Pick<WorkflowGateway, 'caseNote'>,
  actor: NamedStaffActor,
  kase: ListedCase,
  body: string,
): Promise<void> {
  return db.transaction().execute(async (tx) => {
    const note = await addCaseNote(tx, kase.id, actor.id, body);
    await auditStaff(tx, actor, {
      action: 'case.note',
      subjectType: 'case',
      subjectId: kase.id,
      details: { noteId: note.id },
    });
    if (kase.redmineIssueId !== null)
      await workflows.caseNote(kase.id, `notepad-${note.id}`, agency().redmineNote(actor.fullName, body));
  });
}
