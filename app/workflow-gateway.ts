// The WorkflowGateway port: what the app asks of the workflows. Starts are idempotent: workflow
// ids come from business keys. Its Temporal implementation is temporal/gateway.ts.
import type { CollectionEvent, ContributorInvitationInput, RedmineSyncInput } from '../domain/workflow-inputs.js';

export type InvitationEvent =
  { type: 'invite'; input: ContributorInvitationInput } | { type: 'accept' | 'revoke'; memberId: string };

export interface WorkflowGateway {
  clientMessage(conversationId: string, messageId: string): Promise<void>;
  staffAnswer(conversationId: string, messageId: string, options?: { fromRedmine: boolean }): Promise<void>;
  askSatisfaction(conversationId: string, ref: string): Promise<void>;
  satisfactionAnswer(conversationId: string, ref: string, resolved: boolean): Promise<void>;
  deliverNotification(idempotencyKey: string, notificationId: string): Promise<void>;
  /** Hands a staff answer to the client's notifier (grace window, digest), starting it if needed. */
  notifyStaffAnswer(accountId: string, messageId: string, options: { graceSeconds: number }): Promise<void>;
  /** Starts the Redmine → Guichet poller unless it runs already; a running one gets these settings. */
  ensureRedmineSync(input: RedmineSyncInput): Promise<void>;
  /** Throws when Temporal cannot be reached. */
  check(): Promise<void>;
  /** Starts a case's document collection (idempotent), or signals it an event, starting it if needed. */
  documentCollection(caseId: string, event: CollectionEvent | { type: 'start' }): Promise<void>;
  /** Sends (or re-sends) a contributor's invitation, or tells it of an acceptance or revocation. */
  contributorInvitation(event: InvitationEvent): Promise<void>;
  /** Writes a private note on the case's Redmine issue, once per reference (idempotent start). */
  caseNote(caseId: string, ref: string, text: string): Promise<void>;
  /** Wakes a webhook endpoint's delivery workflow (new events, a replay, a resume), starting it if needed. */
  webhookEndpoint(endpointId: string): Promise<void>;
  /** Starts the building, e-mailing and expiry of a client's export (idempotent by its id). */
  selfExport(exportId: string, accountId: string): Promise<void>;
}

export class WorkflowUnavailableError extends Error {
  override name = 'WorkflowUnavailableError';
}
