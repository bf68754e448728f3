// What the mirror needs to know about a Redmine instance, resolved and checked once at start-up:
// the client e-mail field, the mapped projects, the statuses that mean something to Guichet,
// and the API user's permissions. Guichet refuses to run on a Redmine that would silently
// publish private notes or drop the e-mail field.
import { createRedmineClient } from './client.js';
import type { RedmineCallObserver, RedmineClient } from './types.js';

export interface MirrorSettings {
  url: string;
  apiKey: string;
  /** Space slug → project identifier. */
  projects: Map<string, string>;
  emailField: string;
  ccField?: string | undefined;
  feedbackStatus: string;
  resolvedStatus: string;
  staffNames: 'full' | 'first-name-team';
  teamName: string;
  /** Redmine's text formatting setting (Guichet escapes client text for it). */
  textFormatting?: 'textile' | 'common_mark' | 'none' | undefined;
  /** Told of every call the mirror's client makes (metrics). */
  observer?: RedmineCallObserver | undefined;
}

export interface RedmineMirrorContext {
  client: RedmineClient;
  emailFieldId: number;
  ccFieldId: number | undefined;
  /** Space slug → Redmine project id. */
  projectIdBySlug: Map<string, number>;
  projectIds: number[];
  feedbackStatusId: number | undefined;
  resolvedStatusId: number | undefined;
  closedStatusIds: Set<number>;
  /** The key is an administrator's: notes may be posted in a staff member's name. */
  adminKey: boolean;
  /** The Redmine user whose key Guichet uses (the integration user): never a staff member. */
  apiUserId: number;
  staffNames: 'full' | 'first-name-team';
  teamName: string;
  /** Redmine's text formatting setting; unset: Textile, Redmine's default. */
  textFormatting?: 'textile' | 'common_mark' | 'none' | undefined;
}

export class RedmineSetupError extends Error {
  override name = 'RedmineSetupError';
}

function byNameOrId<T extends { id: number; name: string }>(list: T[], wanted: string): T | undefined {
  const id = /^\d+$/.test(wanted) ? Number(wanted) : undefined;
  return list.find((item) => item.id === id || item.name.toLowerCase() === wanted.toLowerCase());
}

export async function resolveMirrorContext(
  settings: MirrorSettings,
  client = createRedmineClient({ baseUrl: settings.url, apiKey: settings.apiKey, observer: settings.observer }),
): Promise<RedmineMirrorContext> {
  const problems: string[] = [];
  const [me, projects, statuses] = await Promise.all([
    client.currentUser(),
    client.listProjects(),
    client.listStatuses(),
  ]);

  const projectIdBySlug = new Map<string, number>();
  for (const [slug, identifier] of settings.projects) {
    const project = projects.find((p) => p.identifier === identifier || String(p.id) === identifier);
    if (!project)
      problems.push(`project "${identifier}" (space ${slug}) does not exist or is not visible to the API user`);
    else projectIdBySlug.set(slug, project.id);
  }

  // The issue custom fields of a project are readable by any member; the global list needs admin.
  const fields = new Map<number, string>();
  for (const projectId of new Set(projectIdBySlug.values())) {
    for (const f of await client.projectIssueCustomFields(projectId)) fields.set(f.id, f.name);
    const issue = await client.listIssues({ projectIds: [projectId], limit: 1 });
    for (const f of issue.issues[0]?.customFields ?? []) fields.set(f.id, f.name);
  }
  const definitions = await client.listCustomFields();
  for (const d of definitions ?? []) if (d.customizedType === 'issue') fields.set(d.id, d.name);
  const fieldList = [...fields].map(([id, name]) => ({ id, name }));
  // A numeric id is trusted: a non-admin key sees no field definitions until an issue exists.
  const emailField =
    byNameOrId(fieldList, settings.emailField) ??
    (/^\d+$/.test(settings.emailField) ? { id: Number(settings.emailField), name: '' } : undefined);
  if (!emailField)
    problems.push(`no issue custom field "${settings.emailField}" (REDMINE_EMAIL_FIELD) visible to the API user`);
  const ccField = settings.ccField ? byNameOrId(fieldList, settings.ccField) : undefined;
  if (settings.ccField && !ccField) problems.push(`no issue custom field "${settings.ccField}" (REDMINE_CC_FIELD)`);

  for (const [slug, projectId] of projectIdBySlug) {
    const can = await client.checkNotePermissions(projectId);
    if (!can.canSetPrivate)
      problems.push(
        `the API user may not set notes private in project ${settings.projects.get(slug)}: its private notes would be published`,
      );
    if (!can.canEditIssues)
      problems.push(
        `the API user may not edit issues in project ${settings.projects.get(slug)}: the e-mail field would be dropped`,
      );
    if (!can.canAddNotes) problems.push(`the API user may not add notes in project ${settings.projects.get(slug)}`);
    if (!can.canViewPrivate)
      problems.push(
        `the API user may not view private notes in project ${settings.projects.get(slug)}: it could not check what it wrote`,
      );
  }
  if (problems.length > 0)
    throw new RedmineSetupError(`Redmine at ${settings.url} is not usable:\n  - ${problems.join('\n  - ')}`);

  return {
    client,
    emailFieldId: emailField!.id,
    ccFieldId: ccField?.id,
    projectIdBySlug,
    projectIds: [...new Set(projectIdBySlug.values())],
    feedbackStatusId: byNameOrId(statuses, settings.feedbackStatus)?.id,
    resolvedStatusId: byNameOrId(statuses, settings.resolvedStatus)?.id,
    closedStatusIds: new Set(statuses.filter((s) => s.isClosed).map((s) => s.id)),
    adminKey: me.admin,
    apiUserId: me.id,
    staffNames: settings.staffNames,
    teamName: settings.teamName,
    textFormatting: settings.textFormatting ?? 'textile',
  };
}
