// The worker's activities. Workflows import the type only.
import { createAcknowledgementActivities, type AcknowledgementActivityDeps } from './acknowledgements.js';
import { createConversationActivities, type ConversationActivityDeps } from './conversations.js';
import { createNotificationActivities, type NotificationActivityDeps } from './notifications.js';
import { createRedmineActivities, type RedmineActivityDeps } from './redmine.js';
import { createSlaActivities, type SlaActivityDeps } from './sla.js';
import { createVilogiActivities, type VilogiActivityDeps } from './vilogi.js';
import { createDocumentActivities, type DocumentActivityDeps } from './documents.js';
import { createCaseNoteActivities, type CaseNoteActivityDeps } from './case-notes.js';
import { createContributorActivities, type ContributorActivityDeps } from './contributors.js';
import { createRetentionActivities, type RetentionActivityDeps } from './retention.js';
import { createStaffAccessActivities, type StaffAccessActivityDeps } from './staff-access.js';
import { createSessionActivities, type SessionActivityDeps } from './sessions.js';
import { createAnswerNotificationActivities, type AnswerNotificationDeps } from './answer-notifications.js';
import { createWebhookActivities, type WebhookActivityDeps } from './webhooks.js';
import { createPurgeActivities, type PurgeActivityDeps } from './purges.js';
import { createSelfExportActivities, type SelfExportActivityDeps } from './self-export.js';
import { createRequestOpeningActivities } from './request-opening.js';

export type ActivityDeps = ConversationActivityDeps &
  AcknowledgementActivityDeps &
  NotificationActivityDeps &
  RedmineActivityDeps &
  SlaActivityDeps &
  VilogiActivityDeps &
  DocumentActivityDeps &
  CaseNoteActivityDeps &
  ContributorActivityDeps &
  RetentionActivityDeps &
  StaffAccessActivityDeps &
  SessionActivityDeps &
  AnswerNotificationDeps &
  WebhookActivityDeps &
  PurgeActivityDeps &
  SelfExportActivityDeps;

export function createActivities(deps: ActivityDeps) {
  const steps = {
    ...createConversationActivities(deps),
    ...createAcknowledgementActivities(deps),
    ...createNotificationActivities(deps),
    ...createRedmineActivities(deps),
    ...createSlaActivities(deps),
    ...createVilogiActivities(deps),
    ...createDocumentActivities(deps),
    ...createCaseNoteActivities(deps),
    ...createContributorActivities(deps),
    ...createRetentionActivities(deps),
    ...createStaffAccessActivities(deps),
    ...createSessionActivities(deps),
    ...createAnswerNotificationActivities(deps),
    ...createWebhookActivities(deps),
    ...createPurgeActivities(deps),
    ...createSelfExportActivities(deps),
  };
  // Steps made of the ones above (one local activity where a workflow ran several).
  return { ...steps, ...createRequestOpeningActivities(steps) };
}

export type Activities = ReturnType<typeof createActivities>;
export type { MessageRef } from './conversations.js';
export type { AnswerNotifier, AnswerBatchInput, AnswerBatchResult } from './answer-notifications.js';
export type { ConversationSignals, SyncState } from './redmine.js';
export type { SlaAlertKind, SlaPolicy } from './sla.js';
export type { RequestOpened, RequestOpening } from './request-opening.js';
export type { ImportResult, ProcessResultItem, VilogiSettings } from './vilogi.js';
export type { CollectionPolicy } from './documents.js';
export type { PurgeBatchInput } from './purges.js';
