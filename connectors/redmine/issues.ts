// Issues: read one, list them (with filters in Redmine's long form and a guard against filters it
// drops), page through recent changes, create and update them, reporting the fields Redmine ignored.
// Lists are in issue-lists.ts, writes in issue-writes.ts.
import type { RawIssue } from './raw.js';
import { toIssue } from './convert.js';
import { createIssueListCalls } from './issue-lists.js';
import { createIssueWriteCalls } from './issue-writes.js';
import type { RedmineTransport } from './transport.js';
import type { ActAs, IssueIncludes, RedmineClient, RedmineIssue } from './types.js';

export type IssueCalls = Pick<
  RedmineClient,
  'getIssue' | 'listIssues' | 'listIssuesUpdatedSince' | 'createIssue' | 'updateIssue'
>;

export function createIssueCalls(t: RedmineTransport): IssueCalls {
  async function getIssue(id: number, include: IssueIncludes = {}, as?: ActAs): Promise<RedmineIssue | undefined> {
    const parts = [
      include.journals && 'journals',
      include.attachments && 'attachments',
      include.children && 'children',
    ].filter(Boolean);
    const query = parts.length > 0 ? { include: parts.join(',') } : undefined;
    const res = await t.orUndefinedOn(404, t.get<{ issue: RawIssue }>(`/issues/${id}.json`, query, as));
    return res ? toIssue(res.issue) : undefined;
  }

  return {
    getIssue,
    ...createIssueListCalls(t),
    ...createIssueWriteCalls(t, getIssue),
  };
}
