// Issue writes: create and update an issue, reporting the fields Redmine ignored (read back from
// the answer, or from the issue after an update).
import { ConnectorError } from '../errors.js';
import { holdsValue, rawCustomFields, rawUploads, toIssue } from './convert.js';
import type { RawIssue } from './raw.js';
import { SYSTEM, type RedmineTransport } from './transport.js';
import type { ActAs, CreatedIssue, IssueUpdate, IssueUpdateResult, NewIssue, RedmineClient } from './types.js';

export function createIssueWriteCalls(
  t: RedmineTransport,
  getIssue: RedmineClient['getIssue'],
): Pick<RedmineClient, 'createIssue' | 'updateIssue'> {
  async function createIssue(issue: NewIssue, as?: ActAs): Promise<CreatedIssue> {
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
  }

  async function updateIssue(issueId: number, update: IssueUpdate, as?: ActAs): Promise<IssueUpdateResult> {
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
  }

  return { createIssue, updateIssue };
}
