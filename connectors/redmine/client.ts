// A thin typed client of Redmine's REST API (5.0 and later). Redmine's JSON shapes stay in this
// file; callers get our own types (types.ts). Traps worked around here are described in
// shared/docs/redmine-api.md and at each method.
import { Transform, pipeline } from 'node:stream';
import { ConnectorError } from '../errors.js';
import { HttpError, createHttpClient, type HttpClient, type HttpRequest, type QueryValue } from '../http.js';
import { AttachmentTooLargeError, SwitchUserError } from './errors.js';
import { findNoteByMarker, withNoteMarker } from './notes.js';
import type {
  ActAs,
  AttachmentDownload,
  CreatedIssue,
  CustomFieldValue,
  IssueCustomField,
  IssueIncludes,
  IssuePage,
  IssueQuery,
  IssueUpdate,
  IssueUpdateResult,
  NewIssue,
  NewNote,
  NotePermissions,
  NoteOnceResult,
  ProjectPermissions,
  RedmineAttachment,
  RedmineClient,
  RedmineClientOptions,
  RedmineCustomFieldDefinition,
  RedmineIssue,
  RedmineJournal,
  RedmineProject,
  RedmineStatus,
  RedmineTracker,
  RedmineUser,
  RedmineUserAccess,
  RoleRef,
  UploadToken,
} from './types.js';

const SYSTEM = 'redmine';
/** Redmine caps `limit` at 100. */
const PAGE_SIZE = 100;

// --- Redmine's JSON, as far as we read it -------------------------------------------------------

interface IdName {
  id: number;
  name: string;
}

interface RawUser {
  id: number;
  login: string;
  admin?: boolean;
  firstname: string;
  lastname: string;
  mail?: string;
  status?: number;
  groups?: IdName[];
  memberships?: RawMembership[];
}

interface RawMembership {
  id: number;
  project?: IdName;
  roles: (IdName & { inherited?: boolean })[];
}

interface RawProject {
  id: number;
  name: string;
  identifier: string;
  is_public?: boolean;
  status?: number;
  parent?: IdName;
}

interface RawStatus {
  id: number;
  name: string;
  is_closed?: boolean;
}

interface RawTracker {
  id: number;
  name: string;
  default_status?: IdName;
}

interface RawCustomFieldDefinition {
  id: number;
  name: string;
  customized_type: string;
  field_format: string;
  is_filter?: boolean;
  is_required?: boolean;
  multiple?: boolean;
  visible?: boolean;
  trackers?: IdName[];
  possible_values?: { value: string; label?: string }[];
}

interface RawCustomValue {
  id: number;
  name: string;
  multiple?: boolean;
  value?: string | string[] | null;
}

interface RawJournal {
  id: number;
  user?: IdName;
  notes?: string | null;
  created_on: string;
  private_notes?: boolean;
  details?: { property: string; name: string; old_value?: string | null; new_value?: string | null }[];
}

interface RawAttachment {
  id: number;
  filename: string;
  filesize: number;
  content_type?: string | null;
  description?: string | null;
  content_url: string;
  author?: IdName;
  created_on: string;
}

interface RawChild {
  id: number;
  tracker: IdName;
  subject: string;
}

interface RawIssue {
  id: number;
  project: IdName;
  tracker: IdName;
  status: IdName & { is_closed?: boolean };
  author: IdName;
  assigned_to?: IdName;
  parent?: { id: number };
  subject: string;
  description?: string | null;
  is_private?: boolean;
  custom_fields?: RawCustomValue[];
  created_on: string;
  updated_on: string;
  closed_on?: string | null;
  journals?: RawJournal[];
  attachments?: RawAttachment[];
  children?: RawChild[];
}

interface RawRole {
  id: number;
  name: string;
  permissions?: string[];
}

type Paged<K extends string, T> = { [key in K]: T[] } & { total_count?: number; offset?: number; limit?: number };

// --- conversions at the edge --------------------------------------------------------------------

function toUser(raw: RawUser): RedmineUser {
  return {
    id: raw.id,
    login: raw.login,
    firstName: raw.firstname,
    lastName: raw.lastname,
    ...(raw.mail ? { mail: raw.mail } : {}),
    admin: raw.admin === true,
  };
}

function toProject(raw: RawProject): RedmineProject {
  return {
    id: raw.id,
    name: raw.name,
    identifier: raw.identifier,
    isPublic: raw.is_public === true,
    status: raw.status ?? 1,
    ...(raw.parent ? { parentId: raw.parent.id } : {}),
  };
}

function toCustomValue(raw: RawCustomValue): IssueCustomField {
  const value = raw.value ?? (raw.multiple ? [] : '');
  return { id: raw.id, name: raw.name, value };
}

function toJournal(raw: RawJournal): RedmineJournal {
  return {
    id: raw.id,
    userId: raw.user?.id ?? 0,
    userName: raw.user?.name ?? '',
    notes: raw.notes ?? '',
    privateNotes: raw.private_notes === true,
    createdOn: new Date(raw.created_on),
    details: (raw.details ?? []).map((d) => ({
      property: d.property,
      name: d.name,
      oldValue: d.old_value ?? null,
      newValue: d.new_value ?? null,
    })),
  };
}

function toAttachment(raw: RawAttachment): RedmineAttachment {
  return {
    id: raw.id,
    filename: raw.filename,
    filesize: raw.filesize,
    ...(raw.content_type ? { contentType: raw.content_type } : {}),
    description: raw.description ?? '',
    contentUrl: raw.content_url,
    ...(raw.author ? { authorId: raw.author.id, authorName: raw.author.name } : {}),
    createdOn: new Date(raw.created_on),
  };
}

function toIssue(raw: RawIssue): RedmineIssue {
  return {
    id: raw.id,
    projectId: raw.project.id,
    projectName: raw.project.name,
    trackerId: raw.tracker.id,
    subject: raw.subject,
    description: raw.description ?? '',
    statusId: raw.status.id,
    statusName: raw.status.name,
    ...(raw.status.is_closed !== undefined ? { statusIsClosed: raw.status.is_closed } : {}),
    isPrivate: raw.is_private === true,
    ...(raw.assigned_to ? { assignedTo: { id: raw.assigned_to.id, name: raw.assigned_to.name } } : {}),
    authorId: raw.author.id,
    authorName: raw.author.name,
    ...(raw.parent ? { parentId: raw.parent.id } : {}),
    customFields: (raw.custom_fields ?? []).map(toCustomValue),
    createdOn: new Date(raw.created_on),
    updatedOn: new Date(raw.updated_on),
    ...(raw.closed_on ? { closedOn: new Date(raw.closed_on) } : {}),
    // The order Redmine gives follows the API user's "comments in reverse order" preference.
    ...(raw.journals ? { journals: raw.journals.map(toJournal).sort((a, b) => a.id - b.id) } : {}),
    ...(raw.attachments ? { attachments: raw.attachments.map(toAttachment) } : {}),
    ...(raw.children
      ? { children: raw.children.map((c) => ({ id: c.id, trackerId: c.tracker.id, subject: c.subject })) }
      : {}),
  };
}

function rawCustomFields(fields: CustomFieldValue[] | undefined) {
  return fields?.map((f) => ({ id: f.id, value: f.value }));
}

function rawUploads(uploads: UploadToken[] | undefined) {
  return uploads?.map((u) => ({
    token: u.token,
    filename: u.filename,
    ...(u.contentType ? { content_type: u.contentType } : {}),
  }));
}

/** Redmine's timestamp filter syntax, to the second. */
function redmineTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Whether a custom field holds every value expected (trimmed; optionally ignoring case). */
function holdsValue(actual: string | string[], expected: string | string[], ignoreCase = false): boolean {
  const norm = (v: string | string[]) =>
    (Array.isArray(v) ? v : [v]).map((x) => (ignoreCase ? String(x).trim().toLowerCase() : String(x).trim()));
  const have = norm(actual);
  return norm(expected)
    .filter((v) => v !== '')
    .every((v) => have.includes(v));
}

// --- the client ---------------------------------------------------------------------------------

export function createRedmineClient(options: RedmineClientOptions): RedmineClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const http: HttpClient = createHttpClient({
    system: SYSTEM,
    baseUrl,
    headers: { 'X-Redmine-API-Key': options.apiKey },
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: options.maxRetryAfterMs } : {}),
  });
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 120_000;
  const maxBufferedUploadBytes = options.maxBufferedUploadBytes ?? 32 * 1024 * 1024;

  let adminKey: Promise<boolean> | undefined;

  /** Redmine ignores X-Redmine-Switch-User from a non-administrator: refuse before writing as the wrong user. */
  async function switchHeaders(as: ActAs | undefined): Promise<Record<string, string>> {
    const login = as?.switchUser;
    if (login === undefined) return {};
    // An empty header is no header to Redmine: the call would run as the key's own user.
    if (login.trim() === '') throw new SwitchUserError(login, 'unknown_user');
    adminKey ??= me().then(
      (u) => u.admin === true,
      (err: unknown) => {
        adminKey = undefined;
        throw err;
      },
    );
    if (!(await adminKey)) throw new SwitchUserError(login, 'not_admin');
    return { 'X-Redmine-Switch-User': login };
  }

  async function call<T>(request: HttpRequest, as?: ActAs): Promise<T | undefined> {
    const headers = await switchHeaders(as);
    try {
      const res = await http.json<T>({ ...request, headers: { ...request.headers, ...headers } });
      return res.data;
    } catch (err) {
      if (err instanceof HttpError && err.status === 412 && as?.switchUser !== undefined) {
        throw new SwitchUserError(as.switchUser, 'unknown_user', 412, { cause: err });
      }
      throw err;
    }
  }

  async function get<T>(path: string, query?: Record<string, QueryValue>, as?: ActAs): Promise<T> {
    const data = await call<T>({ method: 'GET', path, ...(query ? { query } : {}) }, as);
    if (data === undefined) throw new ConnectorError(SYSTEM, 'unexpected', `GET ${path} answered with an empty body`);
    return data;
  }

  async function orUndefinedOn<T>(status: number, promise: Promise<T>): Promise<T | undefined> {
    try {
      return await promise;
    } catch (err) {
      if (err instanceof ConnectorError && err.status === status) return undefined;
      throw err;
    }
  }

  function me(): Promise<RawUser> {
    return get<{ user: RawUser }>('/users/current.json').then((r) => r.user);
  }

  async function allPages<K extends string, T>(
    path: string,
    key: K,
    query: Record<string, QueryValue> = {},
  ): Promise<T[]> {
    const items: T[] = [];
    for (let offset = 0; ;) {
      const page = await get<Paged<K, T>>(path, { ...query, limit: PAGE_SIZE, offset });
      const batch = page[key];
      items.push(...batch);
      offset += batch.length;
      if (batch.length === 0 || page.total_count === undefined || offset >= page.total_count) return items;
    }
  }

  async function projectNumericId(project: number | string): Promise<number> {
    if (typeof project === 'number') return project;
    if (/^\d+$/.test(project)) return Number(project);
    const res = await get<{ project: RawProject }>(`/projects/${encodeURIComponent(project)}.json`);
    return res.project.id;
  }

  async function getIssue(id: number, include: IssueIncludes = {}, as?: ActAs): Promise<RedmineIssue | undefined> {
    const parts = [
      include.journals && 'journals',
      include.attachments && 'attachments',
      include.children && 'children',
    ].filter(Boolean);
    const query = parts.length > 0 ? { include: parts.join(',') } : undefined;
    const res = await orUndefinedOn(404, get<{ issue: RawIssue }>(`/issues/${id}.json`, query, as));
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

    const page = await get<Paged<'issues', RawIssue>>('/issues.json', params);
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

  async function membershipRoles(projectId: number): Promise<{ admin: boolean; roles: RoleRef[] }> {
    const user = await get<{ user: RawUser }>('/users/current.json', { include: 'memberships' }).then((r) => r.user);
    const roles = new Map<number, RoleRef>();
    for (const membership of user.memberships ?? []) {
      if (membership.project?.id !== projectId) continue;
      for (const role of membership.roles) {
        const known = roles.get(role.id);
        // Held both directly and through a group: direct wins.
        if (!known || (known.inherited && !role.inherited))
          roles.set(role.id, { id: role.id, name: role.name, ...(role.inherited ? { inherited: true } : {}) });
      }
    }
    return { admin: user.admin === true, roles: [...roles.values()] };
  }

  async function permissionsInProject(project: number | string): Promise<ProjectPermissions> {
    const projectId = await projectNumericId(project);
    const { admin, roles } = await membershipRoles(projectId);
    const permissions = new Set<string>();
    for (const role of roles) {
      const res = await get<{ role: RawRole }>(`/roles/${role.id}.json`);
      for (const p of res.role.permissions ?? []) permissions.add(p);
    }
    return { admin, roles, permissions };
  }

  async function addNote(issueId: number, note: NewNote, as?: ActAs): Promise<void> {
    if (note.notes.trim() === '')
      throw new ConnectorError(SYSTEM, 'invalid_request', 'an empty note would not make a journal');
    await call(
      {
        method: 'PUT',
        path: `/issues/${issueId}.json`,
        json: {
          issue: {
            notes: note.notes,
            ...(note.privateNotes ? { private_notes: true } : {}),
            ...(note.uploads ? { uploads: rawUploads(note.uploads) } : {}),
          },
        },
      },
      as,
    );
  }

  return {
    baseUrl,

    async currentUser() {
      return toUser(await me());
    },

    async listProjects() {
      return (await allPages<'projects', RawProject>('/projects.json', 'projects')).map(toProject);
    },

    async listStatuses(): Promise<RedmineStatus[]> {
      const res = await get<{ issue_statuses: RawStatus[] }>('/issue_statuses.json');
      return res.issue_statuses.map((s) => ({ id: s.id, name: s.name, isClosed: s.is_closed === true }));
    },

    async listTrackers(): Promise<RedmineTracker[]> {
      const res = await get<{ trackers: RawTracker[] }>('/trackers.json');
      return res.trackers.map((t) => ({
        id: t.id,
        name: t.name,
        ...(t.default_status ? { defaultStatusId: t.default_status.id } : {}),
      }));
    },

    async projectIssueCustomFields(project: number | string): Promise<{ id: number; name: string }[]> {
      const res = await get<{ project: { issue_custom_fields?: { id: number; name: string }[] } }>(
        `/projects/${encodeURIComponent(String(project))}.json?include=issue_custom_fields`,
      );
      return (res.project.issue_custom_fields ?? []).map((f) => ({ id: f.id, name: f.name }));
    },

    async listCustomFields(): Promise<RedmineCustomFieldDefinition[] | undefined> {
      const res = await orUndefinedOn(403, get<{ custom_fields: RawCustomFieldDefinition[] }>('/custom_fields.json'));
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

    async createIssue(issue: NewIssue, as?: ActAs): Promise<CreatedIssue> {
      const res = await call<{ issue: RawIssue }>(
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

    addNote,

    async updateIssue(issueId: number, update: IssueUpdate, as?: ActAs): Promise<IssueUpdateResult> {
      await call(
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

    getIssue,
    listIssues,
    listIssuesUpdatedSince,

    async upload(
      filename: string,
      content: Buffer | NodeJS.ReadableStream,
      size?: number,
      contentType?: string,
    ): Promise<UploadToken> {
      const name = sanitizeFilename(filename);
      if (name.trim() === '') throw new ConnectorError(SYSTEM, 'invalid_request', 'an upload needs a file name');
      // Always with a Content-Length: Redmine under thin (Debian's package) does not decode a
      // chunked request body and stores the chunk framing, truncated, with a 201.
      let body: Buffer | NodeJS.ReadableStream;
      let length: number;
      let mismatch: string | undefined;
      let counter: Transform | undefined;
      if (Buffer.isBuffer(content)) {
        body = content;
        length = content.length;
      } else if (size === undefined) {
        body = await bufferUpload(content, maxBufferedUploadBytes);
        length = body.length;
      } else {
        length = size;
        let counted = 0;
        counter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            counted += chunk.length;
            if (counted > size) {
              mismatch = `more than the ${size} bytes announced`;
              callback(new Error(mismatch));
            } else callback(null, chunk);
          },
          flush(callback) {
            if (counted !== size) {
              mismatch = `${counted} bytes instead of the ${size} announced`;
              callback(new Error(mismatch));
            } else callback();
          },
        });
        pipeline(content, counter, () => undefined);
        body = counter;
      }
      try {
        const res = await call<{ upload: { id?: number; token: string } }>({
          method: 'POST',
          path: '/uploads.json',
          query: { filename: name, ...(contentType ? { content_type: contentType } : {}) },
          body,
          // Anything else is refused with 406.
          contentType: 'application/octet-stream',
          contentLength: length,
          timeoutMs: uploadTimeoutMs,
        });
        if (!res?.upload.token)
          throw new ConnectorError(SYSTEM, 'unexpected', 'POST /uploads.json answered without a token');
        return { token: res.upload.token, filename: name, ...(contentType ? { contentType } : {}) };
      } catch (err) {
        // Stops reading the caller's stream (pipeline destroys it with the counter).
        counter?.destroy();
        if (mismatch !== undefined) {
          throw new ConnectorError(
            SYSTEM,
            'invalid_request',
            `upload of "${name}" aborted: the stream gave ${mismatch}`,
            undefined,
            undefined,
            { cause: err },
          );
        }
        if (err instanceof HttpError && err.status === 422) {
          const refusal = tooLargeRefusal(err.details, length);
          if (refusal) {
            const limit =
              refusal.maxSize !== undefined ? `Redmine's limit of ${refusal.maxSize} bytes` : "Redmine's size limit";
            throw new AttachmentTooLargeError(
              `attachment too large: "${name}" (${length} bytes) is above ${limit}`,
              length,
              refusal.maxSize,
              422,
              { cause: err },
            );
          }
        }
        throw err;
      }
    },

    async getAttachment(id: number): Promise<RedmineAttachment | undefined> {
      const res = await orUndefinedOn(404, get<{ attachment: RawAttachment }>(`/attachments/${id}.json`));
      return res ? toAttachment(res.attachment) : undefined;
    },

    async downloadAttachment(id: number): Promise<AttachmentDownload> {
      const res = await http.stream({ method: 'GET', path: `/attachments/download/${id}` });
      const contentLength = res.headers['content-length'];
      const size = contentLength !== undefined && /^\d+$/.test(contentLength) ? Number(contentLength) : undefined;
      return {
        stream: res.stream,
        contentType:
          (res.headers['content-type'] ?? 'application/octet-stream').split(';')[0]?.trim() ||
          'application/octet-stream',
        ...(size !== undefined ? { size } : {}),
        filename: filenameFromDisposition(res.headers['content-disposition']) ?? `attachment-${id}`,
      };
    },

    async findUserByLogin(login: string): Promise<RedmineUser | undefined> {
      // `name` matches login, names and mail by substring; `status=` (empty) means any status.
      const users = await allPages<'users', RawUser>('/users.json', 'users', { name: login, status: '' });
      const user =
        users.find((u) => u.login === login) ?? users.find((u) => u.login.toLowerCase() === login.toLowerCase());
      return user ? toUser(user) : undefined;
    },

    async getUser(id: number): Promise<RedmineUser | undefined> {
      const res = await orUndefinedOn(404, get<{ user: RawUser }>(`/users/${id}.json`));
      return res ? toUser(res.user) : undefined;
    },

    async getUserAccess(id: number): Promise<RedmineUserAccess | undefined> {
      const res = await orUndefinedOn(
        404,
        get<{ user: RawUser }>(`/users/${id}.json`, { include: 'groups,memberships' }),
      );
      if (!res) return undefined;
      const raw = res.user;
      // A group's id answers 404 too, but be sure of what came back.
      if (raw.id !== id || typeof raw.login !== 'string') return undefined;
      return {
        user: toUser(raw),
        ...(raw.status !== undefined ? { status: raw.status } : {}),
        ...(raw.groups ? { groups: raw.groups.map((g) => ({ id: g.id, name: g.name })) } : {}),
        memberships: (raw.memberships ?? [])
          .filter((m) => m.project)
          .map((m) => ({
            projectId: m.project!.id,
            roles: m.roles.map((r) => ({ id: r.id, name: r.name, ...(r.inherited ? { inherited: true } : {}) })),
          })),
      };
    },

    async listGroups(): Promise<{ id: number; name: string }[] | undefined> {
      const res = await orUndefinedOn(403, get<{ groups: IdName[] }>('/groups.json'));
      return res?.groups.map((g) => ({ id: g.id, name: g.name }));
    },

    async rolesOfCurrentUser(project: number | string): Promise<RoleRef[]> {
      return (await membershipRoles(await projectNumericId(project))).roles;
    },

    permissionsInProject,

    async checkNotePermissions(project: number | string): Promise<NotePermissions> {
      const { admin, permissions } = await permissionsInProject(project);
      const has = (name: string) => admin || permissions.has(name);
      return {
        canSetPrivate: has('set_notes_private'),
        canViewPrivate: has('view_private_notes'),
        canEditIssues: has('edit_issues'),
        canAddNotes: has('add_issue_notes'),
      };
    },

    async addNoteOnce(issueId: number, ref: string, note: NewNote, as?: ActAs): Promise<NoteOnceResult> {
      const marked: NewNote = { ...note, notes: withNoteMarker(note.notes, ref) };
      const wantedPrivate = note.privateNotes === true;
      const lookup = async () => {
        const issue = await getIssue(issueId, { journals: true }, as);
        if (!issue) throw new ConnectorError(SYSTEM, 'not_found', `issue ${issueId} not found (or not visible)`, 404);
        return findNoteByMarker(issue.journals ?? [], ref);
      };
      const existing = await lookup();
      if (existing) {
        return {
          journalId: existing.id,
          privateNotes: existing.privateNotes,
          created: false,
          privacyDropped: wantedPrivate && !existing.privateNotes,
        };
      }
      await addNote(issueId, marked, as);
      const written = await lookup();
      if (!written) {
        throw new ConnectorError(
          SYSTEM,
          'unexpected',
          `note ${ref} was accepted on issue ${issueId} but is not among the journals read back`,
        );
      }
      return {
        journalId: written.id,
        privateNotes: written.privateNotes,
        created: true,
        privacyDropped: wantedPrivate && !written.privateNotes,
      };
    },
  };
}

/**
 * Whether a 422 on an upload is Redmine's refusal of a too large file, and its limit if given. The
 * message, in whatever language the instance speaks, ends with the limit in bytes ("…maximum
 * allowed file size (5242880)"); the limit is set in KB, so it is a multiple of 1024, and we sent
 * more than that. Other 422s on uploads: a file name too long (255) or an extension refused.
 */
function tooLargeRefusal(details: readonly string[], sent: number): { maxSize: number | undefined } | undefined {
  for (const detail of details) {
    for (const match of detail.matchAll(/\d+/g)) {
      const n = Number(match[0]);
      if (n > 0 && n % 1024 === 0 && sent > n) return { maxSize: n };
    }
  }
  if (details.some((d) => /file size|too (big|large)|exceeds/i.test(d))) return { maxSize: undefined };
  return undefined;
}

/** The name Redmine will store: no directory, and `/ ? % * : | " ' < > CR LF` made `_` (as Attachment#sanitize_filename). */
export function sanitizeFilename(filename: string): string {
  return filename.replace(/^.*(\\|\/)/s, '').replace(/[/?%*:|"'<>\n\r]+/g, '_');
}

/** Reads a stream of unknown size into memory, up to a limit. */
async function bufferUpload(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > limit) {
      throw new ConnectorError(
        SYSTEM,
        'invalid_request',
        `an upload of unknown size above ${limit} bytes: give its size to stream it`,
      );
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function filenameFromDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended?.[1]) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"((?:[^"\\]|\\.)*)"|filename\s*=\s*([^;]+)/.exec(header);
  const value = plain?.[1] ?? plain?.[2];
  return value?.trim();
}

/** Redmine's own rule for logins (User::LOGIN_LENGTH_LIMIT and its format validation). */
const REDMINE_LOGIN = /^[a-z0-9_\-@.]{1,60}$/i;
/** What a Redmine API key looks like (40 hex digits): Redmine takes one as a Basic-auth user name. */
const API_KEY_LIKE = /^[0-9a-f]{40}$/i;

/** Whether a typed login could be an API key: such a login never reaches Redmine. */
export function looksLikeApiKey(login: string): boolean {
  return API_KEY_LIKE.test(login.trim());
}

/**
 * Checks a person's Redmine login and password (`GET /users/current.json` with HTTP basic
 * authentication): their Redmine user when they match, undefined when Redmine refuses them
 * (wrong password, locked account). Redmine down throws a ConnectorError. The password is sent
 * once and kept nowhere; never retried, so that one attempt counts once against Redmine's
 * own lock-out.
 *
 * Redmine also accepts an API key as the Basic-auth user name, with any password: a login that
 * looks like a key is refused before any call, and the user Redmine answers with must carry the
 * login that was typed (Redmine compares logins without regard to case), so that a key (or
 * anything else Redmine might accept in place of a login) never signs anyone in.
 */
export async function verifyRedmineCredentials(
  options: { baseUrl: string; timeoutMs?: number },
  login: string,
  password: string,
): Promise<RedmineUser | undefined> {
  if (!REDMINE_LOGIN.test(login) || looksLikeApiKey(login) || password === '') return undefined;
  const http = createHttpClient({
    system: SYSTEM,
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { Authorization: `Basic ${Buffer.from(`${login}:${password}`, 'utf8').toString('base64')}` },
    timeoutMs: options.timeoutMs ?? 10_000,
    retries: 0,
  });
  try {
    const res = await http.json<{ user: RawUser }>({ method: 'GET', path: '/users/current.json' });
    if (!res.data?.user)
      throw new ConnectorError(SYSTEM, 'unexpected', 'GET /users/current.json answered with an empty body');
    const user = toUser(res.data.user);
    if (typeof user.login !== 'string' || user.login.toLowerCase() !== login.toLowerCase()) return undefined;
    return user;
  } catch (err) {
    // 401: wrong login or password; 403 would be a REST API switched off, which is Redmine's fault.
    if (err instanceof ConnectorError && err.status === 401) return undefined;
    throw err;
  }
}
