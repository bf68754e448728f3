// What the settings page shows: the settings as their form shows them, and the unpaid-cases mode.
import type { UnpaidMode } from '../../../domain/downloads.js';
import type { Settings } from '../../../db/settings.js';
import type { Locale } from '../../../i18n/index.js';

export interface SettingsView {
  primaryColor: string;
  rowsPerPage: string;
  locales: Locale[];
  hasLogo: boolean;
  /** The unpaid-cases mode, shown in its own form. */
  unpaidMode?: UnpaidMode;
}

/** Stored settings as the form shows them. */
export function settingsViewOf(settings: Settings, unpaidMode: UnpaidMode): SettingsView {
  return {
    primaryColor: settings.primaryColor,
    rowsPerPage: String(settings.rowsPerPage),
    locales: settings.locales,
    hasLogo: settings.logo !== null,
    unpaidMode,
  };
}
