// What the API tokens page shows of a token: its name, hint, rights, spaces, dates and state.
import type { ApiTokenSummary } from '../../../db/api-tokens.js';
import { formatDateTime, type Locale } from '../../../i18n/index.js';

export interface TokenRow {
  id: string;
  name: string;
  hint: string;
  scope: 'read' | 'write';
  spaces: string[] | 'all';
  createdAt: string;
  createdBy: string;
  lastUsed: string | null;
  revokedAt: string | null;
}

export function tokenRowOf(t: ApiTokenSummary, locale: Locale): TokenRow {
  return {
    id: t.id,
    name: t.name,
    hint: `${t.tokenHint}…`,
    scope: t.scope,
    spaces: t.allSpaces ? 'all' : t.spaceNames,
    createdAt: formatDateTime(t.createdAt, locale),
    createdBy: t.createdByName ?? '',
    lastUsed: t.lastUsedAt ? formatDateTime(t.lastUsedAt, locale) : null,
    revokedAt: t.revokedAt ? formatDateTime(t.revokedAt, locale) : null,
  };
}
