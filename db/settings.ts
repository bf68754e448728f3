// The installation's settings: one row (id = 1), created by the migration.
import { inTransaction, type Db } from './connect.js';
import type { Locale } from './database.js';

export interface Settings {
  primaryColor: string;
  rowsPerPage: number;
  locales: Locale[];
  logo: { key: string; contentType: string } | null;
  updatedAt: Date;
}

export const DEFAULT_SETTINGS: Settings = {
  primaryColor: '#0b5cab',
  rowsPerPage: 25,
  locales: ['fr', 'en'],
  logo: null,
  updatedAt: new Date(0),
};
export const ROWS_PER_PAGE_MIN = 10;
export const ROWS_PER_PAGE_MAX = 350;
const HEX_COLOR = /^#[0-9a-f]{6}$/;

export function isHexColor(value: string): boolean {
  return HEX_COLOR.test(value);
}

export async function getSettings(db: Db): Promise<Settings> {
  const row = await db.selectFrom('settings').selectAll().where('id', '=', 1).executeTakeFirst();
  if (!row) return DEFAULT_SETTINGS;
  return {
    primaryColor: row.primary_color,
    rowsPerPage: row.rows_per_page,
    locales: row.locales.split(',').filter((l): l is Locale => l === 'fr' || l === 'en'),
    logo: row.logo_key && row.logo_content_type ? { key: row.logo_key, contentType: row.logo_content_type } : null,
    updatedAt: row.updated_at,
  };
}

export interface SettingsUpdate {
  primaryColor: string;
  rowsPerPage: number;
  locales: Locale[];
  /** undefined: keep the logo; null: remove it. */
  logo?: { key: string; contentType: string } | null;
}

/** Saves the settings; returns the storage key of a logo replaced or removed, for the caller to delete. */
export async function saveSettings(db: Db, update: SettingsUpdate): Promise<string | null> {
  return inTransaction(db, async (tx) => {
    const before = await tx
      .selectFrom('settings')
      .select('logo_key')
      .where('id', '=', 1)
      .forUpdate()
      .executeTakeFirst();
    const values = {
      primary_color: update.primaryColor,
      rows_per_page: update.rowsPerPage,
      // Always in the same order: the column's check lists the three forms.
      locales: (['fr', 'en'] as const).filter((l) => update.locales.includes(l)).join(','),
      updated_at: new Date(),
      ...(update.logo !== undefined
        ? { logo_key: update.logo?.key ?? null, logo_content_type: update.logo?.contentType ?? null }
        : {}),
    };
    await tx
      .insertInto('settings')
      .values({ id: 1, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
    return update.logo !== undefined && before?.logo_key && before.logo_key !== update.logo?.key
      ? before.logo_key
      : null;
  });
}
