// Conversions at the edge: Redmine's JSON (raw.ts) to our own types (types.ts), and back for
// what we send. Pure functions, no call to Redmine.
import type {
  CustomFieldValue,
  IssueCustomField,
  RedmineAttachment,
  RedmineIssue,
  RedmineJournal,
  RedmineProject,
  RedmineUser,
  UploadToken,
} from './types.js';
import type { RawAttachment, RawCustomValue, RawIssue, RawJournal, RawProject, RawUser } from './raw.js';

export function toUser(raw: RawUser): RedmineUser {
  return {
    id: raw.id,
    login: raw.login,
    firstName: raw.firstname,
    lastName: raw.lastname,
    ...(raw.mail ? { mail: raw.mail } : {}),
    admin: raw.admin === true,
  };
}

export function toProject(raw: RawProject): RedmineProject {
  return {
    id: raw.id,
    name: raw.name,
    identifier: raw.identifier,
    isPublic: raw.is_public === true,
    status: raw.status ?? 1,
    ...(raw.parent ? { parentId: raw.parent.id } : {}),
  };
}

export function toCustomValue(raw: RawCustomValue): IssueCustomField {
  const value = raw.value ?? (raw.multiple ? [] : '');
  return { id: raw.id, name: raw.name, value };
}

export function toJournal(raw: RawJournal): RedmineJournal {
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

export function toAttachment(raw: RawAttachment): RedmineAttachment {
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

export function toIssue(raw: RawIssue): RedmineIssue {
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

export function rawCustomFields(fields: CustomFieldValue[] | undefined) {
  return fields?.map((f) => ({ id: f.id, value: f.value }));
}

export function rawUploads(uploads: UploadToken[] | undefined) {
  return uploads?.map((u) => ({
    token: u.token,
    filename: u.filename,
    ...(u.contentType ? { content_type: u.contentType } : {}),
  }));
}

/** Redmine's timestamp filter syntax, to the second. */
export function redmineTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Whether a custom field holds every value expected (trimmed; optionally ignoring case). */
export function holdsValue(actual: string | string[], expected: string | string[], ignoreCase = false): boolean {
  const norm = (v: string | string[]) =>
    (Array.isArray(v) ? v : [v]).map((x) => (ignoreCase ? String(x).trim().toLowerCase() : String(x).trim()));
  const have = norm(actual);
  return norm(expected)
    .filter((v) => v !== '')
    .every((v) => have.includes(v));
}
