import { en } from './en/index.js';
import { fr, type Messages } from './fr/index.js';

export type { Messages };
/** The languages of the client space: French first, English second. */
export type Locale = 'fr' | 'en';
export const LOCALES: readonly Locale[] = ['fr', 'en'];
const catalogues: Record<Locale, Messages> = { fr, en };

export function messages(locale: Locale): Messages {
  return catalogues[locale];
}

export function isLocale(value: unknown): value is Locale {
  return value === 'fr' || value === 'en';
}

// One formatter per locale: building one costs ~60 µs and native memory the GC barely sees.
const dateTimeFormats: Record<Locale, Intl.DateTimeFormat> = {
  fr: new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' }),
};

/** Dates as people read them: "23 novembre 2026 à 14:05" (Europe/Paris). */
export function formatDateTime(date: Date, locale: Locale): string {
  return dateTimeFormats[locale].format(date);
}

const dateFormats: Record<Locale, Intl.DateTimeFormat> = {
  fr: new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Europe/Paris' }),
};

/** A day as people read it: "2 janvier 2027" (Europe/Paris). */
export function formatDate(date: Date, locale: Locale): string {
  return dateFormats[locale].format(date);
}
