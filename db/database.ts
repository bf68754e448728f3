// Table types for Kysely: one interface per table, Generated<> for columns with defaults.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Locale } from '../i18n/index.js';
import type { CaseMemberKind, TemplateRole } from '../domain/contributor-access.js';
import type { UnpaidMode } from '../domain/downloads.js';
import type { BiText, DocumentStatus, TemplatePiece } from '../domain/pieces.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;

export type AccountKind = 'client' | 'staff';
export type StaffRole = 'agent' | 'manager' | 'admin';
export type { Locale };
export type ConversationStatus = 'open' | 'answered' | 'waiting_client' | 'resolved' | 'closed';
export type AuthorKind = 'client' | 'staff' | 'system';
export type PaymentState = 'paid' | 'unpaid';
export type MessageKind = 'message' | 'acknowledgement';
export type NotificationStatus = 'pending' | 'sent' | 'failed';

export interface SpacesTable {
  id: Generated<string>;
  slug: string;
  name: string;
  created_at: Timestamp;
  sla_target_hours: Generated<number>;
  sla_max_hours: Generated<number>;
  sla_calendar: Generated<'calendar' | 'business'>;
  sla_opens: Generated<string>;
  sla_closes: Generated<string>;
  /** Reminded when no assignee is known. */
  team_email: string | null;
  /** Alerted before and at an SLA breach. */
  manager_email: string | null;
  satisfaction_timeout_hours: Generated<number>;
  /** Months the documents of a closed case are kept; null: kept for as long as the case. */
  retention_months: number | null;
}

export interface AccountsTable {
  id: Generated<string>;
  kind: AccountKind;
  email: string;
  full_name: string;
  staff_role: StaffRole | null;
  locale: Generated<Locale>;
  password_hash: string | null;
  pending_password_hash: string | null;
  pending_password_expires_at: Timestamp | null;
  password_changed_at: Timestamp | null;
  last_login_at: Timestamp | null;
  disabled_at: Timestamp | null;
  created_at: Timestamp;
  /** Staff: their Redmine login, for answers posted in their name. */
  redmine_login: Generated<string | null>;
  /** Staff: may edit templates and settings. */
  is_admin: Generated<boolean>;
  /** Clients: staff's observation on the client record. */
  observation: Generated<string>;
  /** Clients: download the files of unpaid cases as if they were paid. */
  unpaid_exempt: Generated<boolean>;
  /** Staff: rows per page they chose for the back-office lists (10–350), else the setting. */
  rows_per_page: number | null;
  /** Staff signing in through Redmine: the Redmine user's id (the link; never the e-mail). */
  redmine_user_id: Generated<number | null>;
  /** Staff signing in through Redmine: when Redmine last confirmed their access. */
  // Not Generated<Timestamp | null>: Kysely would then not unwrap Timestamp in updates.
  access_checked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** The spaces a staff member sees (administrators see every space). */
export interface StaffSpacesTable {
  account_id: string;
  space_id: string;
  source: 'redmine' | 'local';
  created_at: Generated<Timestamp>;
}

/** Which spaces know a client's e-mail (a client sees every space that knows them). */
export interface SpaceClientsTable {
  space_id: string;
  account_id: string;
  created_at: Timestamp;
}

export interface SessionsTable {
  /** SHA-256 of the cookie token: a database leak does not hand out sessions. */
  id: string;
  account_id: string;
  kind: AccountKind;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

/** rate-limiter-flexible's Postgres store (app/rate-limits.ts). */
export interface RateLimitsTable {
  key: string;
  points: number;
  /** Milliseconds since the epoch; the window's end. */
  expire: number | null;
}

export interface ConversationsTable {
  id: string;
  space_id: string;
  client_account_id: string;
  subject: string;
  status: Generated<ConversationStatus>;
  cc: Generated<string>;
  created_at: Timestamp;
  last_message_at: Timestamp;
  redmine_issue_id: number | null;
  redmine_project_id: number | null;
  /** When an attempt to create its issue sent the POST whose outcome is not known yet. */
  redmine_issue_requested_at: Timestamp | null;
  /** The e-mail field value staff were last warned about, so the warning is written once. */
  redmine_email_warned: string | null;
  /** Who opened it: the client in Guichet, or staff in Redmine. */
  origin: Generated<'client' | 'redmine'>;
  /** The running answer clock: when the request came, when the answer is due (target, max). */
  sla_started_at: Timestamp | null;
  sla_target_at: Timestamp | null;
  sla_max_at: Timestamp | null;
  satisfaction_asked_at: Timestamp | null;
  /** The Redmine assignee's e-mail, when known. */
  assignee_email: string | null;
  /** The Redmine assignee (a user or a group) and their name, as Redmine shows it. */
  assignee_redmine_id: number | null;
  assignee_name: string | null;
  /** The case it is about, when business software named one on opening it (integration API). */
  case_id: string | null;
}

export interface SlaOutcomesTable {
  id: Generated<string>;
  conversation_id: string;
  space_id: string;
  started_at: Timestamp;
  answered_at: Timestamp;
  target_at: Timestamp;
  max_at: Timestamp;
  outcome: 'within_target' | 'within_max' | 'breached';
  idempotency_key: string;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  author_kind: AuthorKind;
  author_account_id: string | null;
  /** Name shown to the client for this author (staff display name policy applied at write). */
  author_display_name: string;
  kind: Generated<MessageKind>;
  body: string;
  /** Business key for messages written by workflows, so retries never write twice. */
  idempotency_key: string | null;
  created_at: Timestamp;
  read_at: Timestamp | null;
  /** The Redmine journal this message is (a staff note) or became (a client message). */
  redmine_journal_id: number | null;
  /** Client messages of a mirrored conversation: pending until the note is on the issue. */
  redmine_delivery: 'pending' | 'delivered' | null;
  /** Staff's reading state (shown on client messages in the back-office). */
  staff_state: Generated<MessageStaffState>;
  /** A staff message written as plain text (opened through the integration API), not Redmine markup. */
  plain_text: Generated<boolean>;
}

export type MessageStaffState = 'to_read' | 'read' | 'cancelled';

export interface AttachmentsTable {
  id: Generated<string>;
  message_id: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  created_at: Timestamp;
  redmine_attachment_id: number | null;
}

export interface RedmineSyncStateTable {
  key: string;
  value: Json<unknown>;
  updated_at: Timestamp;
}

/** The outbox: every notification is written here first, then delivered. */
export interface NotificationsTable {
  id: Generated<string>;
  idempotency_key: string;
  channel: 'email';
  recipient: string;
  /** Comma-separated copies. */
  cc: Generated<string>;
  subject: string;
  body_text: string;
  /** Bodies holding a secret (a password) are blanked once delivered. */
  sensitive: Generated<boolean>;
  status: Generated<NotificationStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  conversation_id: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  /** The HTML part when the sender made one (staff answers); else it is made from the text. */
  body_html: string | null;
  /** Threading and unsubscribe headers of this e-mail, when it has some. */
  mail_headers: ColumnType<NotificationMailHeaders | null, string | null | undefined, string | null>;
  /** While an attempt is sending it: another attempt waits until then (the claim's lease). */
  sending_until: Timestamp | null;
}

/** The mail headers an outbox e-mail carries beyond the usual ones. */
export interface NotificationMailHeaders {
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  /** The one-click unsubscribe address (RFC 8058). */
  listUnsubscribe?: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor_account_id: string | null;
  actor_kind: AccountKind | 'system';
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  ip: string | null;
  details: Json<Record<string, unknown>>;
}

export interface EmailTemplatesTable {
  key: string;
  locale: Locale;
  subject: string;
  body: string;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface SettingsTable {
  id: number;
  primary_color: Generated<string>;
  rows_per_page: Generated<number>;
  /** 'fr', 'en' or 'fr,en'. */
  locales: Generated<string>;
  logo_key: string | null;
  logo_content_type: string | null;
  updated_at: Timestamp;
  /** What clients may download from an unpaid case (seed 003, VII.3). */
  unpaid_mode: Generated<UnpaidMode>;
}

export type ContactKind = 'postal' | 'email' | 'phone';
export type ContactState = 'pending' | 'validated' | 'default' | 'invalid';

export interface ClientContactsTable {
  id: Generated<string>;
  client_account_id: string;
  kind: ContactKind;
  value: string;
  state: Generated<ContactState>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ContactActionsTable {
  id: Generated<string>;
  client_account_id: string;
  contact_id: string | null;
  kind: 'call' | 'letter' | 'sms' | 'email';
  staff_account_id: string | null;
  body: Generated<string>;
  created_at: Timestamp;
}

export interface ClientFilesTable {
  id: Generated<string>;
  client_account_id: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  uploaded_by: string | null;
  created_at: Timestamp;
}

export interface DevSmsOutboxTable {
  id: Generated<string>;
  recipient: string;
  body: string;
  created_at: Timestamp;
}

/** Every Vilogi request ever imported: its id is the import's idempotency key. */
export interface VilogiRequestsTable {
  vilogi_id: string;
  /** A conversation in a client space, or an issue in the triage project (no usable e-mail). */
  kind: 'conversation' | 'triage';
  first_run_id: string;
  service: string;
  author_email: string | null;
  author_name: string;
  building: string | null;
  lot: string | null;
  subject: string;
  filed_at: Timestamp;
  space_id: string | null;
  conversation_id: string | null;
  redmine_issue_id: number | null;
  imported_at: Timestamp;
  /** When Vilogi accepted the "Espace client" event. */
  processed_at: Timestamp | null;
  vilogi_event_id: string | null;
  /** When the origin note was first tried on the conversation's issue (a retry looks it up first). */
  origin_note_at: Timestamp | null;
  /** When the origin went into the description of the conversation's issue, at its creation
   * (then no origin note is written). */
  origin_in_issue_at: Timestamp | null;
}

export interface VilogiRunError {
  requestId: string | null;
  message: string;
}

export interface VilogiRunsTable {
  /** The run workflow's id. */
  id: string;
  trigger: 'schedule' | 'manual';
  started_at: Timestamp;
  finished_at: Timestamp | null;
  status: Generated<'running' | 'done' | 'failed'>;
  fetched: Generated<number>;
  created: Generated<number>;
  known: Generated<number>;
  triage: Generated<number>;
  failed: Generated<number>;
  processed: Generated<number>;
  replies: Generated<number>;
  errors: Json<VilogiRunError[]>;
}

/** Messages posted back to Vilogi, once each. */
export interface VilogiRepliesTable {
  vilogi_id: string;
  /** What was posted: `redmine-journal-<id>` or `message-<uuid>`. */
  source_ref: string;
  vilogi_message_id: string;
  posted_at: Timestamp;
}

export interface RefusalReasonDef extends BiText {
  code: string;
  /** Removed by an administrator while documents were refused for it: shown on them, never offered again. */
  archived?: boolean;
}

export interface DocumentTemplatesTable {
  id: Generated<string>;
  slug: string;
  name: string;
  name_en: string;
  sector: 'finance' | 'property_management';
  roles: Json<TemplateRole[]>;
  reminder_days: ColumnType<number[], number[] | undefined, number[]>;
  reminder_every_days: Generated<number>;
  digest_minutes: Generated<number>;
  created_at: Timestamp;
  /** The main client may invite contributors to their case (seed 002). */
  contributors_invitable: Generated<boolean>;
}

export interface DocumentCategoriesTable {
  id: Generated<string>;
  template_id: string;
  position: number;
  code: string;
  label: string;
  label_en: string;
  /** Which documents may go here ("which documents may go here?"). */
  accepts: Json<BiText[]>;
  refusal_reasons: Json<RefusalReasonDef[]>;
  pieces: Json<TemplatePiece[]>;
}

export type CaseStatus = 'open' | 'complete' | 'closed';

export interface CasesTable {
  id: Generated<string>;
  space_id: string;
  template_id: string;
  client_account_id: string;
  /** External reference (TELEFI, EKIP…). */
  number: string;
  title: string;
  facts: Json<Record<string, string | number>>;
  status: Generated<CaseStatus>;
  redmine_issue_id: number | null;
  collection_started_at: Timestamp | null;
  completed_at: Timestamp | null;
  closed_at: Timestamp | null;
  created_at: Timestamp;
  /** Back-office case record (seed 003). */
  summary: Generated<string>;
  /** Json<> already allows leaving it out on insert (the column has a default); Generated<> around it hid the select type. */
  conclusions: Json<string[]>;
  payment_state: Generated<PaymentState>;
  payment_amount_cents: number | null;
  /** The collaborator the case is assigned to. */
  assignee_account_id: string | null;
  /** When the client was told the documents of this closed case would be deleted. */
  retention_warned_at: Timestamp | null;
  /** When the documents were deleted at the end of the space's retention period. */
  purged_at: Timestamp | null;
}

export interface DocumentsTable {
  id: Generated<string>;
  case_id: string;
  category_id: string;
  /** The piece staff counted it as, when validated. */
  piece_code: string | null;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  page_count: number | null;
  source: Generated<'upload' | 'split'>;
  status: Generated<DocumentStatus>;
  deposited_by: string | null;
  reviewed_by: string | null;
  reviewed_at: Timestamp | null;
  rejection_reason: string | null;
  review_comment: string | null;
  created_at: Timestamp;
}

export interface CaseCommentsTable {
  id: Generated<string>;
  case_id: string;
  author_account_id: string;
  body: string;
  created_at: Timestamp;
}

/** The case's notepad: every collaborator reads it; never shown to clients. */
export interface CaseNotesTable {
  id: Generated<string>;
  case_id: string;
  author_account_id: string | null;
  body: string;
  created_at: Timestamp;
}

export type CaseMemberStatus = 'invited' | 'active' | 'revoked' | 'expired';

export interface CaseMembersTable {
  id: Generated<string>;
  case_id: string;
  account_id: string;
  kind: CaseMemberKind;
  /** The template role of a contributor; null for occasional access. */
  role: string | null;
  status: Generated<CaseMemberStatus>;
  invited_by: string | null;
  generation: Generated<number>;
  invited_at: Timestamp | null;
  invitation_expires_at: Timestamp | null;
  accepted_at: Timestamp | null;
  revoked_at: Timestamp | null;
  expired_at: Timestamp | null;
  created_at: Timestamp;
}

export interface CaseMemberTokensTable {
  token_hash: string;
  member_id: string;
  generation: number;
  created_at: Timestamp;
}
/** A file staff put in a case for the client to download (a report, a certificate). */
/** A confidential view of a client's space by a head of service (seed 004), audited. */
export interface ClientViewsTable {
  id: Generated<string>;
  token_digest: string;
  staff_account_id: string;
  client_account_id: string;
  reason: string;
  ip: string | null;
  started_at: Timestamp;
  expires_at: Timestamp;
  ended_at: Timestamp | null;
  pages: Generated<number>;
}

export interface CaseFilesTable {
  id: Generated<string>;
  case_id: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  page_count: number | null;
  uploaded_by: string | null;
  created_at: Timestamp;
}

export type EmailNotificationMode = 'each' | 'daily' | 'none';
export type SmsNotificationMode = 'each' | 'none';

/** How a client wants to be told of staff answers; no row means the defaults (`each`, `none`). */
export interface NotificationPreferencesTable {
  account_id: string;
  email_mode: Generated<EmailNotificationMode>;
  sms_mode: Generated<SmsNotificationMode>;
  /** E.164; SMS go out only once `phone_confirmed_at` is set. */
  phone: string | null;
  phone_confirmed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  updated_at: Timestamp;
}

/** One-click unsubscribe links: the token is in the e-mail, only its digest here. */
export interface NotificationUnsubscribeTokensTable {
  token_hash: string;
  account_id: string;
  created_at: Generated<Date>;
  used_at: Date | null;
}

/** One row per answer SMS batch: a retried step does not text the client twice. */
export interface NotificationSmsTable {
  idempotency_key: string;
  account_id: string;
  status: Generated<'pending' | 'sent'>;
  created_at: Generated<Date>;
  sent_at: Date | null;
}

/** A code sent by SMS to confirm a client's phone number (one pending per account). */
export interface PhoneConfirmationsTable {
  account_id: string;
  phone: string;
  /** HMAC-SHA256 of the code, keyed by the session secret. */
  code_digest: string;
  attempts: Generated<number>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  sent_at: Timestamp;
}

/** A token business software calls the integration API with; only its SHA-256 is kept. */
export interface ApiTokensTable {
  id: Generated<string>;
  name: string;
  token_hash: string;
  /** The token's first characters, to recognise it in the list. */
  token_hint: string;
  scope: 'read' | 'write';
  all_spaces: Generated<boolean>;
  created_by: string;
  created_at: Timestamp;
  last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  revoked_by: string | null;
}

/** The spaces a token not given every space reaches. */
export interface ApiTokenSpacesTable {
  token_id: string;
  space_id: string;
}

/** An Idempotency-Key seen with a token: the request's digest and, once done, the response. */
export interface ApiIdempotencyKeysTable {
  token_id: string;
  key: string;
  request_hash: string;
  status: number | null;
  content_type: string | null;
  response_body: string | null;
  created_at: Timestamp;
  completed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** The change feed, written by triggers in the transaction of each change. */
export interface ApiChangesTable {
  position: Generated<number>;
  /** The writing transaction's id (xid8, read as text). */
  txid: Generated<string>;
  kind: 'case' | 'piece' | 'message';
  entity_id: string;
  space_id: string;
  case_id: string | null;
  conversation_id: string | null;
  operation: 'insert' | 'update' | 'delete';
  at: Timestamp;
}

/** Where a purge cut a feed: the highest (txid, position) deleted from `api_changes`. */
export interface PurgeHorizonsTable {
  name: 'api_changes';
  /** xid8, read as text. */
  txid: string;
  position: number;
  purged_at: Generated<Date>;
}

/** Webhook endpoints (issue #17): where events go, signed with the endpoint's secret. */
export interface WebhookEndpointsTable {
  id: Generated<string>;
  url: string;
  description: Generated<string>;
  events: Json<string[]>;
  /** Spaces it is limited to; null: every space. */
  space_ids: ColumnType<string[] | null, string | null | undefined, string | null>;
  /** `whsec_` + base64 key. */
  secret: string;
  status: Generated<'active' | 'paused'>;
  paused_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  failing_since: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_by: string | null;
  created_at: Timestamp;
}

/** The outbox: one row per event, written in the transaction of the change that causes it. */
export interface WebhookEventsTable {
  id: Generated<string>;
  type: string;
  ordering_key: string;
  space_id: string | null;
  payload: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveriesTable {
  id: Generated<string>;
  seq: ColumnType<string, never, never>;
  endpoint_id: string;
  event_id: string;
  ordering_key: string;
  status: Generated<WebhookDeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  give_up_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  delivered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
}

export interface WebhookAttemptsTable {
  id: Generated<string>;
  delivery_id: string;
  attempted_at: ColumnType<Date, Date | string, Date | string>;
  status_code: number | null;
  duration_ms: number;
  ok: boolean;
  error: string | null;
}

/** When a client page was last served (migration 029): one row, id 1; the Redmine poll's pace. */
export interface MirrorWatchTable {
  id: Generated<number>;
  seen_at: Timestamp;
}

/** An export a client asked for from their space (migration 024): building, then ready until it expires. */
export interface SelfExportsTable {
  id: Generated<string>;
  account_id: string;
  status: Generated<'building' | 'ready'>;
  ip: string | null;
  /** 128 random bits chosen by the storage: nobody can guess where the archive is. */
  storage_key: string | null;
  size_bytes: number | null;
  sha256: string | null;
  created_at: Timestamp;
  ready_at: Timestamp | null;
  expires_at: Timestamp | null;
}

export interface Database {
  spaces: SpacesTable;
  accounts: AccountsTable;
  space_clients: SpaceClientsTable;
  sessions: SessionsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  attachments: AttachmentsTable;
  notifications: NotificationsTable;
  audit_log: AuditLogTable;
  redmine_sync_state: RedmineSyncStateTable;
  sla_outcomes: SlaOutcomesTable;
  email_templates: EmailTemplatesTable;
  settings: SettingsTable;
  client_contacts: ClientContactsTable;
  contact_actions: ContactActionsTable;
  client_files: ClientFilesTable;
  dev_sms_outbox: DevSmsOutboxTable;
  vilogi_requests: VilogiRequestsTable;
  vilogi_runs: VilogiRunsTable;
  vilogi_replies: VilogiRepliesTable;
  document_templates: DocumentTemplatesTable;
  document_categories: DocumentCategoriesTable;
  cases: CasesTable;
  documents: DocumentsTable;
  case_comments: CaseCommentsTable;
  case_notes: CaseNotesTable;
  case_members: CaseMembersTable;
  case_member_tokens: CaseMemberTokensTable;
  case_files: CaseFilesTable;
  client_views: ClientViewsTable;
  staff_spaces: StaffSpacesTable;
  rate_limits: RateLimitsTable;
  notification_preferences: NotificationPreferencesTable;
  notification_unsubscribe_tokens: NotificationUnsubscribeTokensTable;
  notification_sms: NotificationSmsTable;
  phone_confirmations: PhoneConfirmationsTable;
  api_tokens: ApiTokensTable;
  api_token_spaces: ApiTokenSpacesTable;
  api_idempotency_keys: ApiIdempotencyKeysTable;
  api_changes: ApiChangesTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  purge_horizons: PurgeHorizonsTable;
  self_exports: SelfExportsTable;
  mirror_watch: MirrorWatchTable;
}

export type Space = Selectable<SpacesTable>;
export type Account = Selectable<AccountsTable>;
export type NewAccount = Insertable<AccountsTable>;
export type AccountUpdate = Updateable<AccountsTable>;
export type Conversation = Selectable<ConversationsTable>;
export type Message = Selectable<MessagesTable>;
export type Notification = Selectable<NotificationsTable>;
export type VilogiRequestRow = Selectable<VilogiRequestsTable>;
export type VilogiRun = Selectable<VilogiRunsTable>;
export type Case = Selectable<CasesTable>;
export type DocumentRow = Selectable<DocumentsTable>;
export type DocumentCategory = Selectable<DocumentCategoriesTable>;
export type DocumentTemplate = Selectable<DocumentTemplatesTable>;
export type CaseMember = Selectable<CaseMembersTable>;
export type CaseFile = Selectable<CaseFilesTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type WebhookEndpoint = Selectable<WebhookEndpointsTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;
export type WebhookAttempt = Selectable<WebhookAttemptsTable>;
export type SelfExport = Selectable<SelfExportsTable>;
