// What the page of the client's data shows of their latest export: nothing, being built, or ready
// with its link and end date (Paris time, the client's language); an export past its end is not
// offered even if the timer that deletes it has not run yet.
import { describe, expect, it } from 'vitest';
import type { SelfExport } from '../../../db/database.js';
import { SELF_EXPORT_DAYS, selfExportFileName, selfExportPath } from '../../../domain/self-export.js';
import { selfExportView } from '../../../server/features/self-export/view-models.js';

const id = '0b8f7a52-3c1e-4f57-9d7e-2a4b6c8d0e1f';
const now = new Date('2026-12-07T10:00:00Z');
const row = (over: Partial<SelfExport>): SelfExport => ({
  id,
  account_id: '5d2c1b0a-0000-4000-8000-000000000001',
  status: 'building',
  ip: null,
  storage_key: null,
  size_bytes: null,
  sha256: null,
  created_at: now,
  ready_at: null,
  expires_at: null,
  ...over,
});

describe('the page of the client’s data', () => {
  it('shows nothing without an export, and says how long links last and how often one may ask', () => {
    expect(selfExportView(undefined, 'fr', 86_400, now)).toEqual({
      days: SELF_EXPORT_DAYS,
      everyHours: 24,
      latest: null,
    });
  });

  it('shows an export being built', () => {
    expect(selfExportView(row({}), 'fr', 86_400, now).latest).toEqual({ state: 'building' });
  });

  it('offers a ready export until its end, in the client’s language', () => {
    const ready = row({ status: 'ready', ready_at: now, expires_at: new Date('2026-12-14T10:00:00Z') });
    expect(selfExportView(ready, 'fr', 86_400, now).latest).toEqual({
      state: 'ready',
      until: '14 décembre 2026 à 11:00',
      href: `/mes-donnees/exports/${id}`,
    });
    expect(selfExportView(ready, 'en', 86_400, now).latest).toMatchObject({ until: '14 December 2026 at 11:00' });
  });

  it('does not offer an export past its end', () => {
    const old = row({ status: 'ready', ready_at: now, expires_at: new Date('2026-12-07T09:59:59Z') });
    expect(selfExportView(old, 'fr', 86_400, now).latest).toBeNull();
  });

  it('names the link and the file without anything of the person', () => {
    expect(selfExportPath(id)).toBe(`/mes-donnees/exports/${id}`);
    expect(selfExportFileName(now)).toBe('guichet-mes-donnees-2026-12-07.zip');
  });
});
