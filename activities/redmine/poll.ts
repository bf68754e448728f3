// The Redmine poll: changed issues mirrored within seconds, live conversations re-read now and
// then (a note edited or made private does not change `updated_on`), the cursor heartbeated so
// that a retried activity resumes where it was.
import { Context } from '@temporalio/activity';
import { liveMirroredIssueIds } from '../../db/redmine.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import type { SyncState } from '../../domain/workflow-inputs.js';
import type { RedmineActivityDeps } from './deps.js';

export function createPollSteps(
  { db, redmine }: Pick<RedmineActivityDeps, 'db' | 'redmine'>,
  syncIssue: (ctx: RedmineMirrorContext, issueId: number) => Promise<'mirrored' | 'skipped'>,
) {
  return {
    /**
     * Polls Redmine for a while (heartbeating its cursor), mirroring changed issues within
     * seconds and re-reading live conversations now and then: a note edited or made private
     * does not change `updated_on`, so no poll on it would ever see that.
     */
    async syncRedmine(input: SyncState & { runForMs: number; pollMs: number; rescanMs: number }): Promise<SyncState> {
      if (!redmine) return input;
      const context = Context.current();
      const resumed = (context.info.heartbeatDetails as SyncState | undefined) ?? input;
      let cursor = resumed.cursor ? new Date(resumed.cursor) : new Date(Date.now() - 24 * 3600_000);
      let lastRescan = resumed.lastRescanAt ? new Date(resumed.lastRescanAt) : new Date(0);
      const until = Date.now() + input.runForMs;
      // Redmine's `>=` is a second lenient, so the newest issue comes back on every poll: an
      // issue already read at this very `updated_on` is not read again, provided that read came
      // well after it (timestamps are whole seconds: a note in the same second would hide).
      const readAt = new Map<number, { updatedOn: number; readAt: number }>();
      while (Date.now() < until) {
        const changed = await redmine.client.listIssuesUpdatedSince(
          new Date(cursor.getTime() - 1000),
          redmine.projectIds,
        );
        for (const issue of changed) {
          const seen = readAt.get(issue.id);
          if (seen && seen.updatedOn === issue.updatedOn.getTime() && seen.readAt - seen.updatedOn > 2000) continue;
          const readTime = Date.now();
          await syncIssue(redmine, issue.id);
          readAt.set(issue.id, { updatedOn: issue.updatedOn.getTime(), readAt: readTime });
          if (issue.updatedOn > cursor) cursor = issue.updatedOn;
          context.heartbeat({ cursor: cursor.toISOString(), lastRescanAt: lastRescan.toISOString() });
        }
        if (Date.now() - lastRescan.getTime() >= input.rescanMs) {
          for (const issueId of await liveMirroredIssueIds(db)) {
            await syncIssue(redmine, issueId);
            context.heartbeat({ cursor: cursor.toISOString(), lastRescanAt: lastRescan.toISOString() });
          }
          lastRescan = new Date();
        }
        context.heartbeat({ cursor: cursor.toISOString(), lastRescanAt: lastRescan.toISOString() });
        await context.sleep(input.pollMs);
      }
      return { cursor: cursor.toISOString(), lastRescanAt: lastRescan.toISOString() };
    },
  };
}
