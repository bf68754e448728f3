// Redmine's JSON, as far as we read it. These shapes never leave connectors/redmine/: the
// converters (convert.ts) turn them into our own types (types.ts).

export interface IdName {
  id: number;
  name: string;
}

export interface RawUser {
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

export interface RawMembership {
  id: number;
  project?: IdName;
  roles: (IdName & { inherited?: boolean })[];
}

export interface RawProject {
  id: number;
  name: string;
  identifier: string;
  is_public?: boolean;
  status?: number;
  parent?: IdName;
}

export interface RawStatus {
  id: number;
  name: string;
  is_closed?: boolean;
}

export interface RawTracker {
  id: number;
  name: string;
  default_status?: IdName;
}

export interface RawCustomFieldDefinition {
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

export interface RawCustomValue {
  id: number;
  name: string;
  multiple?: boolean;
  value?: string | string[] | null;
}

export interface RawJournal {
  id: number;
  user?: IdName;
  notes?: string | null;
  created_on: string;
  private_notes?: boolean;
  details?: { property: string; name: string; old_value?: string | null; new_value?: string | null }[];
}

export interface RawAttachment {
  id: number;
  filename: string;
  filesize: number;
  content_type?: string | null;
  description?: string | null;
  content_url: string;
  author?: IdName;
  created_on: string;
}

export interface RawChild {
  id: number;
  tracker: IdName;
  subject: string;
}

export interface RawIssue {
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

export interface RawRole {
  id: number;
  name: string;
  permissions?: string[];
}

export type Paged<K extends string, T> = { [key in K]: T[] } & {
  total_count?: number;
  offset?: number;
  limit?: number;
};
