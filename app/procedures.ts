// Administrators edit a procedure (a document template): its categories and reminder cadence are
// saved all or nothing, its open cases are told of a new cadence, and the edit is audited.
// The edit and its audit entry are one transaction; the open cases are told after it commits.
import type { Db } from '../db/connect.js';
import type { DocumentTemplate } from '../db/database.js';
import { saveTemplateEdit, type TemplateEdit, type TemplateEditProblem } from '../db/documents-admin.js';
import { auditStaff, type StaffActor } from './actor.js';
import { announceCadenceChange } from './documents.js';
import type { WorkflowGateway } from './workflow-gateway.js';

export type ProcedureEditResult =
  | { saved: false; problems: TemplateEditProblem[] }
  /** notTold: open cases not told of a new cadence now (they read it at their next reminder). */
  | { saved: true; notTold: number };

/** `moved`: the category the editor moved, if any, for the audit entry. */
export async function editProcedure(
  db: Db,
  workflows: WorkflowGateway,
  actor: StaffActor,
  template: DocumentTemplate,
  edit: TemplateEdit,
  moved: string | null,
): Promise<ProcedureEditResult> {
  const problems = await db.transaction().execute(async (tx) => {
    const found = await saveTemplateEdit(tx, template, edit);
    if (found.length === 0) {
      await auditStaff(tx, actor, {
        action: 'document_template.edit',
        subjectType: 'document_template',
        subjectId: template.id,
        details: { removed: edit.categories.filter((e) => e.remove).map((e) => e.id), moved },
      });
    }
    return found;
  });
  if (problems.length > 0) return { saved: false, problems };
  // After the commit: the open cases' workflows read the saved cadence.
  const cadenceChanged =
    edit.reminderDays.join(',') !== template.reminder_days.join(',') ||
    edit.reminderEveryDays !== template.reminder_every_days;
  const notTold = cadenceChanged ? (await announceCadenceChange(db, workflows, template.id)).failed : 0;
  return { saved: true, notTold };
}
