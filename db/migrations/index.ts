// Every migration, by name; names sort by date. Static imports keep them bundle- and tsx-friendly.
import type { Migration } from 'kysely';
import * as core from './2026-11-23-001-core.js';
import * as redmineMirror from './2026-11-23-002-redmine-mirror.js';
import * as staffRedmineLogin from './2026-11-23-003-staff-redmine-login.js';
import * as sla from './2026-11-23-004-sla.js';
import * as documents from './2026-11-23-005-documents.js';
import * as vilogi from './2026-11-23-006-vilogi.js';
import * as backoffice from './2026-11-23-007-backoffice.js';
import * as slaAssignee from './2026-11-23-008-sla-assignee.js';
import * as caseRecord from './2026-11-23-009-case-record.js';
import * as contributors from './2026-11-23-010-contributors.js';
import * as caseList from './2026-11-23-011-case-list.js';
import * as caseFiles from './2026-11-23-012-case-files.js';
import * as clientViews from './2026-12-02-013-client-views.js';
import * as retention from './2026-12-02-014-retention.js';
import * as staffAccess from './2026-12-02-015-staff-access.js';
import * as endUnlinkedRedmineStaffSessions from './2026-12-03-016-end-unlinked-redmine-staff-sessions.js';
import * as rateLimits from './2026-12-03-017-rate-limits.js';
import * as notificationPreferences from './2026-12-06-018-notification-preferences.js';
import * as notificationDelivery from './2026-12-06-019-notification-delivery.js';
import * as phoneConfirmations from './2026-12-06-020-phone-confirmations.js';
import * as integrationApi from './2026-12-06-022-integration-api.js';
import * as webhooksAndRights from './2026-12-06-023-webhooks-and-rights.js';
import * as selfExport from './2026-12-07-024-self-export.js';
import * as purges from './2026-12-07-025-purges.js';
import * as apiConversations from './2026-12-07-026-api-conversations.js';
import * as vilogiThroughput from './2026-12-07-028-vilogi-throughput.js';
import * as mirrorWatch from './2026-12-07-029-mirror-watch.js';
import * as notificationClaim from './2026-12-07-032-notification-claim.js';
import * as issueCreationMark from './2026-12-07-033-issue-creation-mark.js';
import * as vilogiCalls from './2026-12-07-034-vilogi-calls.js';

export const migrations: Record<string, Migration> = {
  '2026-11-23-001-core': core,
  '2026-11-23-002-redmine-mirror': redmineMirror,
  '2026-11-23-003-staff-redmine-login': staffRedmineLogin,
  '2026-11-23-004-sla': sla,
  '2026-11-23-005-documents': documents,
  '2026-11-23-006-vilogi': vilogi,
  '2026-11-23-007-backoffice': backoffice,
  '2026-11-23-008-sla-assignee': slaAssignee,
  '2026-11-23-009-case-record': caseRecord,
  '2026-11-23-010-contributors': contributors,
  '2026-11-23-011-case-list': caseList,
  '2026-11-23-012-case-files': caseFiles,
  '2026-12-02-013-client-views': clientViews,
  '2026-12-02-014-retention': retention,
  '2026-12-02-015-staff-access': staffAccess,
  '2026-12-03-016-end-unlinked-redmine-staff-sessions': endUnlinkedRedmineStaffSessions,
  '2026-12-03-017-rate-limits': rateLimits,
  '2026-12-06-018-notification-preferences': notificationPreferences,
  '2026-12-06-019-notification-delivery': notificationDelivery,
  '2026-12-06-020-phone-confirmations': phoneConfirmations,
  '2026-12-06-022-integration-api': integrationApi,
  '2026-12-06-023-webhooks-and-rights': webhooksAndRights,
  '2026-12-07-024-self-export': selfExport,
  '2026-12-07-025-purges': purges,
  '2026-12-07-026-api-conversations': apiConversations,
  '2026-12-07-028-vilogi-throughput': vilogiThroughput,
  '2026-12-07-029-mirror-watch': mirrorWatch,
  '2026-12-07-032-notification-claim': notificationClaim,
  '2026-12-07-033-issue-creation-mark': issueCreationMark,
  '2026-12-07-034-vilogi-calls': vilogiCalls,
};
