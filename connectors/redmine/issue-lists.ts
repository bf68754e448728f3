// Issue lists: filters in Redmine's long form with a guard against filters it drops, and paging
// through recent changes by key.
import { ConnectorError } from '../errors.js';
import type { QueryValue } from '../http.js';
import { holdsValue, redmineTime, toIssue } from './convert.js';
import type { Paged, RawIssue } from './raw.js';
import { PAGE_SIZE, SYSTEM, type RedmineTransport } from './transport.js';
import type { IssuePage, IssueQuery, RedmineClient, RedmineIssue } from './types.js';

/** The query string of an issue list: filters in the long form, then paging and sort. */
function listParams(query: IssueQuery): Record<string, QueryValue> {
  const fields: string[] = [];
  const params: Record<string, QueryValue> = {};
  const filter = (field: string, operator: string, values?: readonly (string | number)[]) => {
    fields.push(field);
    params[`op[${field}]`] = operator;
    if (values) params[`v[${field}][]`] = values;
  };
  const status = query.statusId ?? '*';
  if (status === '*') filter('status_id', '*');
  else if (status === 'open') filter('status_id', 'o');
  else if (status === 'closed') filter('status_id', 'c');
  else filter('status_id', '=', [status]);
  if (query.projectIds && query.projectIds.length > 0) filter('project_id', '=', query.projectIds);
  if (query.updatedSince) filter('updated_on', '>=', [redmineTime(query.updatedSince)]);
  const cf = query.customField;
  if (cf) filter(`cf_${cf.id}`, '=', [cf.value]);
  params['f[]'] = fields;
  const limit = Math.max(1, Math.min(query.limit ?? 25, PAGE_SIZE));
  params.limit = limit;
  params.offset = query.offset ?? 0;
  if (query.sort) params.sort = query.sort;
  return params;
}

export function createIssueListCalls(
  t: RedmineTransport,
): Pick<RedmineClient, 'listIssues' | 'listIssuesUpdatedSince'> {
  /**
   * Filters go in Redmine's long form (`f[]`, `op[…]`, `v[…][]`): values are taken as they are,
   * whereas in the short form (`cf_1=…`) a leading `~`, `!`, `*`, `^`… is read as an operator and
   * `|` splits the value. With `f[]` given, no filter is added by default (no "open only").
   */
  async function listIssues(query: IssueQuery = {}): Promise<IssuePage> {
    const params = listParams(query);
    const cf = query.customField;
    const page = await t.get<Paged<'issues', RawIssue>>('/issues.json', params);
    const issues = page.issues.map(toIssue);
    if (cf) {
      // Redmine drops, silently, a filter on a field that is not "used as a filter" (or not
      // visible): every issue would come back as a match.
      const ignored = issues.find((issue) => {
        const field = issue.customFields.find((f) => f.id === cf.id);
        // Case aside: whether `=` is case-sensitive depends on Redmine's database.
        return !field || !holdsValue(field.value, cf.value, true);
      });
      if (ignored) {
        throw new ConnectorError(
          SYSTEM,
          'invalid_request',
          `Redmine ignored the filter on custom field ${cf.id} (issue ${ignored.id} does not match): the field must be "used as a filter" and visible to the API user`,
        );
      }
    }
    return { issues, totalCount: page.total_count ?? issues.length };
  }

  /**
   * Pages by key (updated_on, then id), not by offset alone: an issue updated while we page moves
   * to the end and would shift the next page by one, skipping an issue. Redmine's `>=` on a time
   * is `> t − 1 s`, so pages overlap a little; duplicates are merged (latest version kept).
   */
  async function listIssuesUpdatedSince(since: Date, projectIds?: number[]): Promise<RedmineIssue[]> {
    const seen = new Map<number, RedmineIssue>();
    let cursor = new Date(Math.floor(since.getTime() / 1000) * 1000);
    let offset = 0;
    for (;;) {
      const { issues } = await listIssues({
        statusId: '*',
        updatedSince: cursor,
        ...(projectIds ? { projectIds } : {}),
        sort: 'updated_on,id',
        limit: PAGE_SIZE,
        offset,
      });
      for (const issue of issues) seen.set(issue.id, issue);
      const last = issues.at(-1);
      if (issues.length < PAGE_SIZE || !last) break;
      if (last.updatedOn.getTime() > cursor.getTime()) {
        cursor = last.updatedOn;
        offset = 0;
      } else {
        // A full page within one second: go on by offset.
        offset += issues.length;
      }
    }
    return [...seen.values()].sort((a, b) => a.updatedOn.getTime() - b.updatedOn.getTime() || a.id - b.id);
  }

  return { listIssues, listIssuesUpdatedSince };
}
