// What the space pages show, made from the space rows: a summary per space for the list, the
// heading of one space, and a space's policy as the form shows it.
import type { Space } from '../../../db/database.js';
import { policyOf } from '../../../db/spaces.js';
import type { Locale } from '../../../i18n/index.js';
import type { SpaceForm } from './forms.js';

/** One space in the list. */
export interface SpaceSummary {
  id: string;
  name: string;
  slug: string;
  targetHours: number;
  maxHours: number;
  calendar: 'calendar' | 'business';
  /** Months the documents of a closed case are kept; null: kept. */
  retentionMonths: number | null;
}

/** The space a form edits. */
export interface SpaceHeading {
  id: string;
  name: string;
  slug: string;
}

export function spaceSummaryOf(space: Space): SpaceSummary {
  return {
    id: space.id,
    name: space.name,
    slug: space.slug,
    targetHours: space.sla_target_hours,
    maxHours: space.sla_max_hours,
    calendar: space.sla_calendar,
    retentionMonths: space.retention_months,
  };
}

export function spaceHeadingOf(space: Space): SpaceHeading {
  return { id: space.id, name: space.name, slug: space.slug };
}

/** Hours as people read them: at most two decimals, a decimal comma in French. */
export function hoursText(hours: number, locale: Locale): string {
  const rounded = Math.round(hours * 100) / 100;
  return locale === 'fr' ? String(rounded).replace('.', ',') : String(rounded);
}

/** A stored space as its form shows it. */
export function spaceFormOf(space: Space, locale: Locale): SpaceForm {
  const policy = policyOf(space);
  return {
    name: policy.name,
    slug: space.slug,
    target: hoursText(policy.slaTargetHours, locale),
    max: hoursText(policy.slaMaxHours, locale),
    calendar: policy.slaCalendar,
    opens: policy.slaOpens,
    closes: policy.slaCloses,
    teamEmail: policy.teamEmail ?? '',
    managerEmail: policy.managerEmail ?? '',
    satisfaction: hoursText(policy.satisfactionTimeoutHours, locale),
    retention: policy.retentionMonths === null ? '' : String(policy.retentionMonths),
  };
}
