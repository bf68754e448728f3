// Issues: read one, list them (with filters in Redmine's long form and a guard against filters it
// drops), page through recent changes, create and update them, reporting the fields Redmine ignored.
import { ConnectorError } from '../errors.js';
import type { QueryValue } from '../http.js';
import { holdsValue, rawCustomFields, rawUploads, redmineTime, toIssue } from './convert.js';
import type { Paged, RawIssue } from './raw.js';
import { PAGE_SIZE, SYSTEM, type RedmineTransport } from './transport.js';
import type {
  ActAs,
  CreatedIssue,
  IssueIncludes,
  IssuePage,
  IssueQuery,
  IssueUpdate,
  IssueUpdateResult,
  NewIssue,
  RedmineClient,
  RedmineIssue,
} from './types.js';

export type IssueCalls = Pick<
  RedmineClient,
  'getIssue' | 'listIssues' | 'listIssuesUpdatedSince' | 'createIssue' | 'updateIssue'
>;

// Long as a whole: a factory of the issue calls over one transport (each under 60 lines).
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

  /**
   * Filters go in Redmine's long form (`f[]`, `op[…]`, `v[…][]`): values are taken as they are,
   * whereas in the short form (`cf_1=…`) a leading `~`, `!`, `*`, `^`… is read as an operator and
   * `|` splits the value. With `f[]` given, no filter is added by default (no "open only").
   */
  async function listIssues(query: IssueQuery = {}): Promise<IssuePage> {
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

  return {
    getIssue,
    listIssues,
    listIssuesUpdatedSince,

    async createIssue(issue: NewIssue, as?: ActAs): Promise<CreatedIssue> {
      const res = await t.call<{ issue: RawIssue }>(
        {
          method: 'POST',
          path: '/issues.json',
          json: {
            issue: {
              project_id: issue.projectId,
              subject: issue.subject,
              description: issue.description,
              ...(issue.trackerId !== undefined ? { tracker_id: issue.trackerId } : {}),
              ...(issue.parentIssueId !== undefined ? { parent_issue_id: issue.parentIssueId } : {}),
              ...(issue.isPrivate !== undefined ? { is_private: issue.isPrivate } : {}),
              ...(issue.customFields ? { custom_fields: rawCustomFields(issue.customFields) } : {}),
              ...(issue.uploads ? { uploads: rawUploads(issue.uploads) } : {}),
            },
          },
        },
        as,
      );
      if (!res) throw new ConnectorError(SYSTEM, 'unexpected', 'POST /issues.json answered without the new issue');
      const created = toIssue(res.issue);
      const ignoredFields: string[] = [];
      if (issue.parentIssueId !== undefined && created.parentId !== issue.parentIssueId)
        ignoredFields.push('parent_issue_id');
      if (issue.trackerId !== undefined && created.trackerId !== issue.trackerId) ignoredFields.push('tracker_id');
      for (const sent of issue.customFields ?? []) {
        const field = created.customFields.find((f) => f.id === sent.id);
        if (!field || !holdsValue(field.value, sent.value)) ignoredFields.push(`cf_${sent.id}`);
      }
      return { id: created.id, ignoredFields };
    },

    async updateIssue(issueId: number, update: IssueUpdate, as?: ActAs): Promise<IssueUpdateResult> {
      await t.call(
        {
          method: 'PUT',
          path: `/issues/${issueId}.json`,
          json: {
            issue: {
              ...(update.statusId !== undefined ? { status_id: update.statusId } : {}),
              ...(update.assignedToId !== undefined ? { assigned_to_id: update.assignedToId ?? '' } : {}),
              ...(update.customFields ? { custom_fields: rawCustomFields(update.customFields) } : {}),
              ...(update.notes !== undefined ? { notes: update.notes } : {}),
              ...(update.privateNotes ? { private_notes: true } : {}),
              ...(update.uploads ? { uploads: rawUploads(update.uploads) } : {}),
            },
          },
        },
        as,
      );
      const ignoredFields: string[] = [];
      if (update.statusId === undefined && update.assignedToId === undefined && !update.customFields?.length)
        return { ignoredFields };
      const issue = await getIssue(issueId, {}, as);
      if (!issue)
        throw new ConnectorError(
          SYSTEM,
          'not_found',
          `issue ${issueId} not found (or not visible) after its update`,
          404,
        );
      if (update.statusId !== undefined && issue.statusId !== update.statusId) ignoredFields.push('status_id');
      if (update.assignedToId !== undefined && (issue.assignedTo?.id ?? null) !== update.assignedToId)
        ignoredFields.push('assigned_to_id');
      for (const sent of update.customFields ?? []) {
        const field = issue.customFields.find((f) => f.id === sent.id);
        if (!field || !holdsValue(field.value, sent.value)) ignoredFields.push(`cf_${sent.id}`);
      }
      return { ignoredFields };
    },
  };
}
