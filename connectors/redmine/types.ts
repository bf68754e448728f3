// Our own view of Redmine: camelCase, dates as Date. Redmine's JSON shapes stay in client.ts.
import type { Readable } from 'node:stream';

export interface RedmineClientOptions {
  /** For instance `https://redmine.example.org` (a sub-path is fine). */
  baseUrl: string;
  /** Sent as `X-Redmine-API-Key`; never appears in errors. */
  apiKey: string;
  /** Per attempt of a read. Default 15 s. */
  timeoutMs?: number;
  /**
   * A write (POST, PUT, DELETE) waits this long for Redmine's answer. Default 60 s: Redmine
   * carries out a request it queued even when the client gave up, so a write abandoned early
   * becomes one whose outcome nobody knows (and a creation retried then is made twice).
   */
  writeTimeoutMs?: number;
  /** Further attempts of a read after a brief failure. Default 2 (at most 3). */
  retries?: number;
  /** For `upload`, which sends up to the attachment size limit. Default 120 s. */
  uploadTimeoutMs?: number;
  /**
   * `upload` of a stream without its size reads it into memory first (a Content-Length is
   * needed, see there), up to this. Default 32 MiB.
   */
  maxBufferedUploadBytes?: number;
  /** Longest `Retry-After` waited for inside a call. Default 10 s. */
  maxRetryAfterMs?: number;
  /** Told of every finished call (metrics); must not throw. Never given the path or the key. */
  observer?: RedmineCallObserver | undefined;
}

/** One finished Redmine call as an observer sees it: bounded labels, no ids, no query. */
export interface RedmineCall {
  /** The resource and the direction, e.g. `issues_read`, `uploads_write`, `other_read`. */
  kind: string;
  /** `ok`, or the ConnectorError code of the failure (`timeout`, `not_found`, …). */
  outcome: string;
  seconds: number;
}

export type RedmineCallObserver = (call: RedmineCall) => void;

/** Acting as another user: needs an administrator's key and an active user with that login. */
export interface ActAs {
  switchUser?: string;
}

export interface RedmineUser {
  id: number;
  login: string;
  firstName: string;
  lastName: string;
  /** Absent when the user hides it and the API user is not an administrator (even for oneself). */
  mail?: string;
  admin: boolean;
}

/** What an administrator's key reads of a user for staff access (`/users/{id}.json?include=groups,memberships`). */
export interface RedmineUserAccess {
  user: RedmineUser;
  /** 1 active, 2 registered, 3 locked. Undefined when the key is not an administrator's. */
  status?: number;
  /** Undefined when the key is not an administrator's (Redmine shows groups to administrators only). */
  groups?: { id: number; name: string }[];
  /** Project memberships, those held through a group included (their roles `inherited`). */
  memberships: { projectId: number; roles: RoleRef[] }[];
}

export interface RedmineProject {
  id: number;
  name: string;
  identifier: string;
  isPublic: boolean;
  /** 1 active, 5 closed, 9 archived (archived ones are not listed). */
  status: number;
  parentId?: number;
}

export interface RedmineStatus {
  id: number;
  name: string;
  isClosed: boolean;
}

export interface RedmineTracker {
  id: number;
  name: string;
  defaultStatusId?: number;
}

export interface RedmineCustomFieldDefinition {
  id: number;
  name: string;
  /** `issue`, `project`, `user`… */
  customizedType: string;
  fieldFormat: string;
  /** Only such fields can be filtered on; on any other, Redmine ignores the filter. */
  isFilter: boolean;
  isRequired: boolean;
  multiple: boolean;
  visible: boolean;
  trackerIds: number[];
  possibleValues?: string[];
}

export interface CustomFieldValue {
  id: number;
  /** An array for multiple-value fields. */
  value: string | string[];
}

export interface IssueCustomField extends CustomFieldValue {
  name: string;
}

/** What `upload` returns; good for one issue write (`uploads`), then spent. */
export interface UploadToken {
  token: string;
  /** As Redmine will store it: `/ ? % * : | " ' < >` become `_`, a directory part is dropped. */
  filename: string;
  /** When not given, Redmine guesses from the file name. */
  contentType?: string;
}

export interface NewIssue {
  /** A project id or identifier. */
  projectId: number | string;
  subject: string;
  description: string;
  trackerId?: number;
  customFields?: CustomFieldValue[];
  uploads?: UploadToken[];
  parentIssueId?: number;
  isPrivate?: boolean;
}

export interface CreatedIssue {
  id: number;
  /**
   * What Redmine did not keep, silently (read from its answer): `parent_issue_id` (needs "manage
   * subtasks"), `tracker_id`, `cf_<id>` (a field the API user may not edit, or not enabled for
   * the project or tracker).
   */
  ignoredFields: string[];
}

export interface NewNote {
  notes: string;
  /** Silently ignored by Redmine (the note is public) without "set notes private". */
  privateNotes?: boolean;
  uploads?: UploadToken[];
}

export interface IssueUpdate {
  statusId?: number;
  customFields?: CustomFieldValue[];
  /** null unassigns. */
  assignedToId?: number | null;
  notes?: string;
  /** A private note sent with field changes becomes two journals (changes, then the note). */
  privateNotes?: boolean;
  uploads?: UploadToken[];
}

export interface IssueUpdateResult {
  /**
   * Changes Redmine did not apply, though it answered 204: `status_id` (no workflow transition
   * for the user's roles; an administrator is not bound by workflows), `assigned_to_id`,
   * `cf_<id>` (a field the user may not edit). Read back only when such changes were asked for.
   */
  ignoredFields: string[];
}

export interface IssueIncludes {
  journals?: boolean;
  attachments?: boolean;
  children?: boolean;
}

export interface JournalDetail {
  /** `attr`, `cf`, `attachment`, `relation`. */
  property: string;
  /** The attribute name, custom field id or attachment id. */
  name: string;
  oldValue: string | null;
  newValue: string | null;
}

export interface RedmineJournal {
  id: number;
  userId: number;
  userName: string;
  /** Empty for a journal of field changes only. */
  notes: string;
  privateNotes: boolean;
  createdOn: Date;
  details: JournalDetail[];
}

export interface RedmineAttachment {
  id: number;
  filename: string;
  filesize: number;
  contentType?: string;
  description: string;
  contentUrl: string;
  authorId?: number;
  authorName?: string;
  createdOn: Date;
}

export interface IssueChild {
  id: number;
  trackerId: number;
  subject: string;
}

export interface RedmineIssue {
  id: number;
  projectId: number;
  projectName: string;
  trackerId: number;
  subject: string;
  description: string;
  statusId: number;
  statusName: string;
  /** Given by Redmine 5.0 and later, in lists and single issues. */
  statusIsClosed?: boolean;
  isPrivate: boolean;
  assignedTo?: { id: number; name: string };
  authorId: number;
  authorName: string;
  parentId?: number;
  customFields: IssueCustomField[];
  createdOn: Date;
  updatedOn: Date;
  closedOn?: Date;
  /** Sorted by id (oldest first), whatever the API user's display preference. */
  journals?: RedmineJournal[];
  attachments?: RedmineAttachment[];
  /** Direct children. */
  children?: IssueChild[];
}

export interface IssueQuery {
  /** Exactly these projects (subprojects are not added). */
  projectIds?: number[];
  /** Issues updated at or after this instant (Redmine compares to the second, leniently). */
  updatedSince?: Date;
  /** Unlike Redmine's own default (open only), all statuses unless told. */
  statusId?: '*' | 'open' | 'closed' | number;
  /**
   * Exact value of a custom field. Redmine ignores, silently, a filter on a field that is not
   * "used as a filter": the client then throws instead of returning every issue.
   */
  customField?: CustomFieldValue & { value: string };
  /** 1 to 100 (Redmine's cap). Default 25. */
  limit?: number;
  offset?: number;
  /** Redmine's syntax: `updated_on`, `id:desc`, `updated_on,id`… */
  sort?: string;
}

export interface IssuePage {
  issues: RedmineIssue[];
  totalCount: number;
}

export interface AttachmentDownload {
  /** The body as it arrives from Redmine; the caller must read or destroy it. */
  stream: Readable;
  contentType: string;
  /** From Content-Length, when Redmine gives it. */
  size?: number;
  filename: string;
}

export interface RoleRef {
  id: number;
  name: string;
  /** Held through a group or a parent project. */
  inherited?: boolean;
}

export interface ProjectPermissions {
  /** An administrator may do everything; `permissions` is then empty. */
  admin: boolean;
  roles: RoleRef[];
  /** Redmine permission names (`add_issue_notes`, `set_notes_private`…). */
  permissions: ReadonlySet<string>;
}

export interface NotePermissions {
  canSetPrivate: boolean;
  canViewPrivate: boolean;
  canEditIssues: boolean;
  canAddNotes: boolean;
}

export interface NoteOnceResult {
  journalId: number;
  /** As Redmine stored it, read back. */
  privateNotes: boolean;
  /** False when a journal with the marker was already there and nothing was posted. */
  created: boolean;
  /** A private note was asked for and Redmine made it public: raise the alarm. */
  privacyDropped: boolean;
}

export interface RedmineClient {
  readonly baseUrl: string;
  currentUser(): Promise<RedmineUser>;
  /** Every project the API user can see, all pages. */
  listProjects(): Promise<RedmineProject[]>;
  listStatuses(): Promise<RedmineStatus[]>;
  listTrackers(): Promise<RedmineTracker[]>;
  /** The issue fields linked to a project (not those "for all projects" left unlinked). */
  projectIssueCustomFields(project: number | string): Promise<{ id: number; name: string }[]>;
  /** Administrators only: undefined for anyone else. */
  listCustomFields(): Promise<RedmineCustomFieldDefinition[] | undefined>;
  createIssue(issue: NewIssue, as?: ActAs): Promise<CreatedIssue>;
  /** Posts a note as is: a retry posts it again. See `addNoteOnce`. */
  addNote(issueId: number, note: NewNote, as?: ActAs): Promise<void>;
  /** Reads the issue back when it changes fields, to report those Redmine ignored. */
  updateIssue(issueId: number, update: IssueUpdate, as?: ActAs): Promise<IssueUpdateResult>;
  /** Undefined when the issue does not exist or is not visible to the (switched) user. */
  getIssue(id: number, include?: IssueIncludes, as?: ActAs): Promise<RedmineIssue | undefined>;
  listIssues(query?: IssueQuery): Promise<IssuePage>;
  /** Every issue updated since then, whatever its status, oldest change first. */
  listIssuesUpdatedSince(since: Date, projectIds?: number[]): Promise<RedmineIssue[]>;
  /**
   * Sends a file and returns its token, always with a Content-Length: a stream is streamed when
   * its `size` is given (and must give exactly that), read into memory first otherwise.
   * Throws an AttachmentTooLargeError (code
   * `invalid_request`, see `isAttachmentTooLarge`) above Redmine's `attachment_max_size`.
   */
  upload(
    filename: string,
    content: Buffer | NodeJS.ReadableStream,
    size?: number,
    contentType?: string,
  ): Promise<UploadToken>;
  /** Undefined when there is no such attachment (or it is not visible). */
  getAttachment(id: number): Promise<RedmineAttachment | undefined>;
  downloadAttachment(id: number): Promise<AttachmentDownload>;
  /** Administrators only (403 otherwise). Any status: active, registered or locked. */
  findUserByLogin(login: string): Promise<RedmineUser | undefined>;
  /** Undefined for a group, an unknown id, or a user the API user may not see. */
  getUser(id: number): Promise<RedmineUser | undefined>;
  /**
   * A user with their status, groups and project memberships; undefined for a deleted user (or
   * one the API user may not see). Status and groups need an administrator's key.
   */
  getUserAccess(id: number): Promise<RedmineUserAccess | undefined>;
  /** Administrators only: undefined for anyone else. */
  listGroups(): Promise<{ id: number; name: string }[] | undefined>;
  /**
   * The API user's roles in a project, from its memberships (direct or through a group). The
   * "Non member" role that applies in public projects is not counted.
   */
  rolesOfCurrentUser(projectId: number | string): Promise<RoleRef[]>;
  permissionsInProject(projectId: number | string): Promise<ProjectPermissions>;
  checkNotePermissions(projectId: number | string): Promise<NotePermissions>;
  /**
   * Posts a note carrying `noteMarker(ref)` unless a journal already carries it, then reads the
   * journal back. `as` applies to the reads too, so that the switched user's visibility holds.
   */
  addNoteOnce(issueId: number, ref: string, note: NewNote, as?: ActAs): Promise<NoteOnceResult>;
  /**
   * Several notes on one issue, in order, each once: one write per note not yet there, the
   * journals read once after (and once before when `options.lookFirst`). See note-batches.ts.
   */
  addNotesOnce(
    issueId: number,
    notes: readonly { ref: string; note: NewNote | (() => Promise<NewNote>); privateNotes?: boolean }[],
    options: { lookFirst: boolean; attachments?: boolean },
    as?: ActAs,
  ): Promise<{ notes: NoteOnceResult[]; issue: RedmineIssue }>;
}
