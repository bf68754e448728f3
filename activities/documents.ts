// Activities of the document collection: what the agency and the client are told (through the
// outbox, once per idempotency key) and the private notes on the case's Redmine issue. The steps
// live in documents/, one file per family: deposits (deposits.ts), reviews and refusals
// (reviews.ts), what else the agency hears (agency.ts), the policy and reminders (reminders.ts).
import { createAgencySteps } from './documents/agency.js';
import { createCaseHelpers, type DocumentActivityDeps } from './documents/deps.js';
import { createDepositSteps } from './documents/deposits.js';
import { createReminderSteps } from './documents/reminders.js';
import { createReviewSteps } from './documents/reviews.js';

export type { CollectionPolicy, DocumentActivityDeps } from './documents/deps.js';

export function createDocumentActivities(deps: DocumentActivityDeps) {
  const helpers = createCaseHelpers(deps);
  return {
    ...createReminderSteps(deps, helpers),
    ...createDepositSteps(deps, helpers),
    ...createReviewSteps(deps, helpers),
    ...createAgencySteps(deps, helpers),
  };
}
