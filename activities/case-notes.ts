// Private notes about a case written by the back-office (assignment, notepad) on the case's
// Redmine issue, through the checked writer: once per reference, and checked private.
import type { Db } from '../db/connect.js';
import { findCase } from '../db/documents.js';
import type { RedmineMirrorContext } from '../connectors/redmine/mirror-context.js';
import { writePrivateNote } from './redmine.js';

export interface CaseNoteActivityDeps {
  db: Db;
  redmine: RedmineMirrorContext | undefined;
}

export function createCaseNoteActivities({ db, redmine }: CaseNoteActivityDeps) {
  return {
    async writeCaseNote(input: { caseId: string; ref: string; text: string }): Promise<{ written: boolean }> {
      const kase = await findCase(db, input.caseId);
      // No Redmine, or a case without an issue (or deleted since): nothing to write.
      if (!redmine || !kase || kase.redmine_issue_id === null) return { written: false };
      await writePrivateNote(db, redmine, {
        issueId: kase.redmine_issue_id,
        ref: `case-${kase.id}-${input.ref}`,
        text: input.text,
        conversationId: kase.id,
        subjectType: 'case',
      });
      return { written: true };
    },
  };
}
