// The settings form as a zod schema: primary colour, rows per page, languages, removing the logo.
// The logo itself is a file, received and inspected apart (server/uploads.ts).
import { z } from 'zod';
import { ROWS_PER_PAGE_MAX, ROWS_PER_PAGE_MIN, isHexColor } from '../../../db/settings.js';
import type { Locale } from '../../../i18n/index.js';
import { localized, text } from '../../forms.js';

export const SETTINGS_FIELDS = ['primaryColor', 'rowsPerPage', 'locale_fr', 'locale_en', 'removeLogo'] as const;

const ticked = text.transform((value) => value === 'on');

/** The languages ticked (fr, en), in that order. */
export function tickedLocales(form: { locale_fr: string; locale_en: string }): Locale[] {
  return (['fr', 'en'] as const).filter((l) => form[`locale_${l}`] === 'on');
}

export const settingsSchema = localized((t) =>
  z
    .object({
      primaryColor: text.pipe(
        z
          .string()
          .trim()
          .toLowerCase()
          .refine((color) => isHexColor(color), t.settings.colorInvalid),
      ),
      rowsPerPage: text.pipe(
        z
          .string()
          .trim()
          .regex(/^\d{1,4}$/, t.settings.rowsInvalid)
          .transform(Number)
          .pipe(
            z.number().min(ROWS_PER_PAGE_MIN, t.settings.rowsInvalid).max(ROWS_PER_PAGE_MAX, t.settings.rowsInvalid),
          ),
      ),
      locale_fr: text,
      locale_en: text,
      removeLogo: ticked,
    })
    // The languages are read whatever the other fields say, so that every problem is listed.
    .refine((form) => tickedLocales(form).length > 0, { error: t.settings.localesInvalid, when: () => true })
    .transform(({ primaryColor, rowsPerPage, removeLogo, ...form }) => ({
      primaryColor,
      rowsPerPage,
      locales: tickedLocales(form),
      removeLogo,
    })),
);
