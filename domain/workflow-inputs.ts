// What the app hands to the workflows: their inputs and events. Defined here, below both, so that
// the app's WorkflowGateway port and the workflows share them without importing each other.

/** An event of a case's document collection. */
export type CollectionEvent =
  | { type: 'deposit'; documentIds: string[] }
  | { type: 'review'; documentId: string }
  | { type: 'comment'; commentId: string }
  | { type: 'close' }
  /** The template's cadence was edited: read it again. */
  | { type: 'policy' };

/** One person invited to a case, and the invitation's clock. */
export interface ContributorInvitationInput {
  memberId: string;
  generation: number;
  /** Days after the invitation when a reminder goes, e.g. [2, 5]. */
  reminderDays: number[];
  expiryDays: number;
}

/** Where the Redmine poller stands. */
export interface SyncState {
  /** ISO instant of the newest `updated_on` seen. */
  cursor?: string;
  lastRescanAt?: string;
}

export interface RedmineSyncInput extends SyncState {
  pollMs: number;
  rescanMs: number;
}
