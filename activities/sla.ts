// The SLA's side effects: deadlines recorded for pages and lists, reminders and escalations by
// e-mail and as private notes, outcomes for metrics, the satisfaction check and auto-resolve. The
// steps live in sla/, one file per family: the clock (clock.ts), alerts (alerts.ts), the
// satisfaction check and resolution (resolution.ts); shared helpers in deps.ts.
import { createAlertSteps } from './sla/alerts.js';
import { createClockSteps } from './sla/clock.js';
import { createSlaHelpers, type SlaActivityDeps } from './sla/deps.js';
import { createResolutionSteps } from './sla/resolution.js';

export type { SlaActivityDeps, SlaAlertKind, SlaPolicy } from './sla/deps.js';

export function createSlaActivities(deps: SlaActivityDeps) {
  const helpers = createSlaHelpers(deps);
  return {
    ...createClockSteps(deps, helpers),
    ...createAlertSteps(deps, helpers),
    ...createResolutionSteps(deps, helpers),
  };
}
