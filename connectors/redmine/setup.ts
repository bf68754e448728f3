// What a Redmine instance is set up with: projects, statuses, trackers and custom fields.
import { toProject } from './convert.js';
import type { RawCustomFieldDefinition, RawProject, RawStatus, RawTracker } from './raw.js';
import type { RedmineTransport } from './transport.js';
import type { RedmineClient, RedmineCustomFieldDefinition, RedmineStatus, RedmineTracker } from './types.js';

export type SetupCalls = Pick<
  RedmineClient,
  'listProjects' | 'listStatuses' | 'listTrackers' | 'projectIssueCustomFields' | 'listCustomFields'
>;

export function createSetupCalls(t: RedmineTransport): SetupCalls {
  return {
    async listProjects() {
      return (await t.allPages<'projects', RawProject>('/projects.json', 'projects')).map(toProject);
    },

    async listStatuses(): Promise<RedmineStatus[]> {
      const res = await t.get<{ issue_statuses: RawStatus[] }>('/issue_statuses.json');
      return res.issue_statuses.map((s) => ({ id: s.id, name: s.name, isClosed: s.is_closed === true }));
    },

    async listTrackers(): Promise<RedmineTracker[]> {
      const res = await t.get<{ trackers: RawTracker[] }>('/trackers.json');
      return res.trackers.map((t) => ({
        id: t.id,
        name: t.name,
        ...(t.default_status ? { defaultStatusId: t.default_status.id } : {}),
      }));
    },

    async projectIssueCustomFields(project: number | string): Promise<{ id: number; name: string }[]> {
      const res = await t.get<{ project: { issue_custom_fields?: { id: number; name: string }[] } }>(
        `/projects/${encodeURIComponent(String(project))}.json?include=issue_custom_fields`,
      );
      return (res.project.issue_custom_fields ?? []).map((f) => ({ id: f.id, name: f.name }));
    },

    async listCustomFields(): Promise<RedmineCustomFieldDefinition[] | undefined> {
      const res = await t.orUndefinedOn(
        403,
        t.get<{ custom_fields: RawCustomFieldDefinition[] }>('/custom_fields.json'),
      );
      return res?.custom_fields.map((f) => ({
        id: f.id,
        name: f.name,
        customizedType: f.customized_type,
        fieldFormat: f.field_format,
        isFilter: f.is_filter === true,
        isRequired: f.is_required === true,
        multiple: f.multiple === true,
        visible: f.visible !== false,
        trackerIds: (f.trackers ?? []).map((t) => t.id),
        ...(f.possible_values ? { possibleValues: f.possible_values.map((v) => v.value) } : {}),
      }));
    },
  };
}
