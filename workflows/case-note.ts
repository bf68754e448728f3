// One private note on a case's Redmine issue (an assignment, a notepad entry), written by an
// activity that Temporal retries until Redmine takes it. The workflow id is derived from the
// case and the note's reference, so a start repeated by the server runs once; the note's marker
// (`<!-- guichet:case-<caseId>-<ref> -->`) keeps a retried activity from writing it twice.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

export interface CaseNoteInput {
  caseId: string;
  /** Business reference of the note: `notepad-<noteId>`, `assign-<uuid>`. */
  ref: string;
  text: string;
}

export function caseNoteWorkflowId(caseId: string, ref: string): string {
  return `case-note-${caseId}-${ref}`;
}

const { writeCaseNote } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Redmine may be down for hours: keep trying, less and less often.
  retry: { initialInterval: '2 seconds', maximumInterval: '10 minutes', backoffCoefficient: 2 },
});

export async function caseNoteWorkflow(input: CaseNoteInput): Promise<{ written: boolean }> {
  return writeCaseNote(input);
}
