// What the page of the client's data shows: their latest export's state (none, being built, ready
// until a date with its link), and how long links last. Pages never see a database row.
import type { SelfExport } from '../../../db/database.js';
import { SELF_EXPORT_DAYS, selfExportPath } from '../../../domain/self-export.js';
import { formatDateTime, type Locale } from '../../../i18n/index.js';

export interface SelfExportView {
  days: number;
  /** Hours between two asks. */
  everyHours: number;
  latest: { state: 'building' } | { state: 'ready'; until: string; href: string } | null;
}

export function selfExportView(
  latest: SelfExport | undefined,
  locale: Locale,
  everySeconds: number,
  now = new Date(),
): SelfExportView {
  const base = { days: SELF_EXPORT_DAYS, everyHours: Math.round(everySeconds / 3600) };
  if (!latest) return { ...base, latest: null };
  if (latest.status === 'building') return { ...base, latest: { state: 'building' } };
  if (!latest.expires_at || latest.expires_at <= now) return { ...base, latest: null };
  return {
    ...base,
    latest: { state: 'ready', until: formatDateTime(latest.expires_at, locale), href: selfExportPath(latest.id) },
  };
}
