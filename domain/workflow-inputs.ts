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
  /** ISO instant of the last poll that found a change (the poll is fast for a while after). */
  lastChangeAt?: string;
  /** Issues read lately: [issue id, `updated_on` read (ms), when read (ms)], not to be read again. */
  seen?: [number, number, number][];
}

/** The poll's settings (REDMINE_POLL_*): sent again to a running poller at every start-up. */
export interface RedmineSyncPace {
  /** The wait between polls while Redmine is active. */
  pollMs: number;
  rescanMs: number;
  /** The longest wait between polls, once idle (unset: `pollMs`). */
  idlePollMs?: number;
  /** How long polls stay fast after a change (unset: 0). */
  activeMs?: number;
  /** How long polls stay fast after a client page was served (unset: 0). */
  watchMs?: number;
  /** Issues read at once (unset: 4). */
  concurrency?: number;
}

export interface RedmineSyncInput extends SyncState, RedmineSyncPace {}
