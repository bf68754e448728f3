import type { Locale } from '../db/database.js';
import { en } from './en.js';
import { fr, type Messages } from './fr.js';

export type { Messages };
export const LOCALES: readonly Locale[] = ['fr', 'en'];
const catalogues: Record<Locale, Messages> = { fr, en };

export function messages(locale: Locale): Messages {
  return catalogues[locale];
}

export function isLocale(value: unknown): value is Locale {
  return value === 'fr' || value === 'en';
}

/** Dates as people read them: "23 novembre 2026 à 14:05" (Europe/Paris). */
export function formatDateTime(date: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Paris',
  }).format(date);
}
