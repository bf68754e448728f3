// What the client pages show, made from the client's account and records: the list's rows, a
// record's heading, contacts, actions, files, and the log of the confidential views.
import type { ClientFile, ClientSummary, Contact, ContactAction } from '../../../db/clients.js';
import type { ClientViewEntry } from '../../../db/client-views.js';
import type { Account, ContactKind, ContactState } from '../../../db/database.js';

export { CONTACT_KINDS, CONTACT_STATES } from '../../../db/clients.js';
export { REASON_MAX } from '../../../db/client-views.js';
export type { ContactKind, ContactState };

/** A client in the list, with their default contacts. */
export interface ClientListItem {
  id: string;
  fullName: string;
  email: string;
  defaults: Array<{ kind: ContactKind; value: string }>;
}

/** The client a record is about. */
export interface ClientHeading {
  id: string;
  fullName: string;
  email: string;
  observation: string;
  unpaidExempt: boolean;
}

export interface ContactView {
  id: string;
  kind: ContactKind;
  value: string;
  state: ContactState;
}

export interface ContactActionView {
  kind: 'call' | 'letter' | 'sms' | 'email';
  body: string;
  contactValue: string | null;
  staffName: string | null;
  createdAt: Date;
}

export interface ClientFileView {
  id: string;
  fileName: string;
  sizeBytes: number;
}

/** One opening of the confidential view of the client's space. */
export interface ClientViewLogEntry {
  staffName: string;
  reason: string;
  startedAt: Date;
  pages: number;
}

export interface ClientRecordView {
  client: ClientHeading;
  contacts: ContactView[];
  actions: ContactActionView[];
  files: ClientFileView[];
  showInvalid: boolean;
  errors: string[];
  /** What was typed in a refused form, to show it again. */
  typed?: {
    kind?: string;
    value?: string;
    observation?: string;
    sms?: { contactId: string; body: string };
    viewReason?: string;
  };
  /** For heads of service and administrators only: the confidential view and its log. */
  views?: ClientViewLogEntry[];
}

export function clientListItemOf(client: ClientSummary): ClientListItem {
  return {
    id: client.id,
    fullName: client.fullName,
    email: client.email,
    defaults: client.defaults.map((d) => ({ kind: d.kind, value: d.value })),
  };
}

export function clientHeadingOf(client: Account): ClientHeading {
  return {
    id: client.id,
    fullName: client.full_name,
    email: client.email,
    observation: client.observation,
    unpaidExempt: client.unpaid_exempt,
  };
}

export function contactViewOf(contact: Contact): ContactView {
  return { id: contact.id, kind: contact.kind, value: contact.value, state: contact.state };
}

export function contactActionViewOf(action: ContactAction): ContactActionView {
  return {
    kind: action.kind,
    body: action.body,
    contactValue: action.contactValue,
    staffName: action.staffName,
    createdAt: action.createdAt,
  };
}

export function clientFileViewOf(file: ClientFile): ClientFileView {
  return { id: file.id, fileName: file.fileName, sizeBytes: file.sizeBytes };
}

export function clientViewLogEntryOf(entry: ClientViewEntry): ClientViewLogEntry {
  return { staffName: entry.staffName, reason: entry.reason, startedAt: entry.startedAt, pages: entry.pages };
}
