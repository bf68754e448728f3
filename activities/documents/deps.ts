// What the document collection's activities share: their deps, the policy type, the agency's
// language, the client mail frame and the case helpers every family of steps uses.
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../db/connect.js';
import type { Case, DocumentRow } from '../../db/database.js';
import { caseProgress, findCase } from '../../db/documents.js';
import { spaceTeamEmail, documentsWithCategory } from '../../db/case-workflows.js';
import { isCaseComplete } from '../../domain/pieces.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { messages, type Messages } from '../../i18n/index.js';
import { writePrivateNote } from '../redmine.js';

export interface DocumentActivityDeps {
  db: Db;
  redmine: RedmineMirrorContext | undefined;
  publicUrl: string;
}

export interface CollectionPolicy {
  /** ms since the epoch: reminders count from here. */
  startedAt: number;
  reminderDays: number[];
  reminderEveryDays: number;
  digestMinutes: number;
  complete: boolean;
  closed: boolean;
}

/** A mail to a client of the case: greeting, what it says, signature, "do not reply". */
export function clientMail(t: Messages, name: string, body: readonly string[]): string {
  return [t.mail.greeting(name), '', ...body, '', t.mail.signature, '', t.mail.noReply].join('\n');
}

/** The agency reads French. */
export const agency = messages('fr');

export type CaseHelpers = ReturnType<typeof createCaseHelpers>;

/** The case, its agency's address, its private notes and its documents, for every family of steps. */
export function createCaseHelpers({ db, redmine }: DocumentActivityDeps) {
  async function loadCase(caseId: string): Promise<Case> {
    const kase = await findCase(db, caseId);
    // Cases are written before their workflow is signalled; a missing one is not visible yet.
    if (!kase) throw ApplicationFailure.retryable(`case ${caseId} is not visible yet`, 'NotYetVisible');
    return kase;
  }

  async function agencyEmail(kase: Case): Promise<string | null> {
    return spaceTeamEmail(db, kase.space_id);
  }

  async function note(kase: Case, ref: string, body: string): Promise<void> {
    if (!redmine || kase.redmine_issue_id === null) return;
    await writePrivateNote(db, redmine, {
      issueId: kase.redmine_issue_id,
      ref: `case-${kase.id}-${ref}`,
      text: body,
      conversationId: kase.id,
      subjectType: 'case',
    });
  }

  async function docsWithCategory(
    caseId: string,
    ids: readonly string[],
  ): Promise<Array<DocumentRow & { categoryLabel: string }>> {
    return documentsWithCategory(db, caseId, ids);
  }

  async function markCompleteIfSo(kase: Case): Promise<boolean> {
    const { states } = await caseProgress(db, kase);
    return isCaseComplete(states);
  }

  return { loadCase, agencyEmail, note, docsWithCategory, markCompleteIfSo };
}
