// The staff-facing texts Guichet writes into Redmine, Vilogi and SLA alerts, per language. Notes
// are written in French today (STAFF_NOTES_LOCALE); English is there for organisations that will
// choose it.
import type { Locale } from '../index.js';
import { en } from './en.js';
import { fr, type StaffNotes } from './fr.js';

export type { SlaAlertKind, StaffNotes, VilogiOrigin, VilogiRefusalReason } from './fr.js';

/** The language Guichet writes its notes in (not configurable yet). */
export const STAFF_NOTES_LOCALE: Locale = 'fr';

const catalogues: Record<Locale, StaffNotes> = { fr, en };

export function staffNotes(locale: Locale = STAFF_NOTES_LOCALE): StaffNotes {
  return catalogues[locale];
}
