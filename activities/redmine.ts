// The Redmine mirror. Guichet → Redmine: a conversation becomes an issue, every client message a
// note, internal events private notes. Redmine → Guichet: public notes become staff messages,
// private notes and the description never leave Redmine, statuses follow. Every write carries
// its own guard against doubles (note markers, unique journal ids, idempotency keys). The steps
// live in redmine/, one file per family: the issue (issue.ts), Guichet → Redmine (outbound.ts),
// Redmine → Guichet (inbound.ts), the poll (poll.ts) and private notes (private-notes.ts).
import type { SyncState } from '../domain/workflow-inputs.js';
import { issuesOfMessages } from '../db/answer-notifications.js';
import type { RedmineActivityDeps } from './redmine/deps.js';
import { createInboundSteps } from './redmine/inbound.js';
import { createIssueSteps } from './redmine/issue.js';
import { createOutboundSteps } from './redmine/outbound.js';
import { createPollSteps } from './redmine/poll.js';

export type { ConversationSignals, RedmineActivityDeps } from './redmine/deps.js';
export { writePrivateNote, type InternalNote } from './redmine/private-notes.js';
export type { SyncState };

export function createRedmineActivities(deps: RedmineActivityDeps) {
  const { ensureIssue } = createIssueSteps(deps);
  const { syncIssue } = createInboundSteps(deps);
  return {
    ...createOutboundSteps(deps, ensureIssue),
    ...createPollSteps(deps, syncIssue),
    /**
     * Re-reads the issues of these answers just before they are told (the end of the grace
     * window): a note edited, made private or deleted in Redmine is in the database then, whatever
     * REDMINE_RESCAN_MINUTES is (an edit or a change to private does not change `updated_on`).
     */
    async refreshAnswersFromRedmine(messageIds: string[]): Promise<void> {
      if (!deps.redmine) return;
      for (const issueId of await issuesOfMessages(deps.db, messageIds)) await syncIssue(deps.redmine, issueId);
    },
  };
}
