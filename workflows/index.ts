// The worker's workflowsPath: every workflow the worker runs.
export * from './conversation.js';
export * from './notification.js';
export * from './notifier.js';
export * from './redmine-sync.js';
export * from './vilogi-sync.js';
export * from './document-collection.js';
export * from './contributor-invitation.js';
export * from './case-note.js';
export * from './retention.js';
export * from './staff-access.js';
export * from './session-purge.js';
export * from './webhook-delivery.js';
export * from './data-purge.js';
export * from './self-export.js';
