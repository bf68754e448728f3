// The case list's forms (zod, server/forms.ts): the list's filters (a GET form), rows per page,
// and the case page's assignment and notepad forms.
import { z } from 'zod';
import { CASE_STATUSES, PAYMENT_STATES, UNASSIGNED } from '../../../../db/case-list.js';
import type { CaseStatus, PaymentState } from '../../../../db/database.js';
import { ROWS_PER_PAGE_MAX, ROWS_PER_PAGE_MIN } from '../../../../db/settings.js';
import { text } from '../../../forms.js';
import { NOTE_MAX } from './pages.js';
import type { CaseListQuery } from './view-models.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A query-string value: the first one when repeated, '' when missing. */
export const one = z
  .unknown()
  .transform((value) =>
    typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '',
  )
  .default('');

/** The list's filters from the query string; values that are not ours are ignored (all cases). */
export const filtersSchema: z.ZodType<CaseListQuery> = z.object({
  q: one.transform((v) => v.slice(0, 500)),
  spaceId: one.transform((v) => (UUID.test(v) ? v : undefined)),
  status: one.transform((v) => (CASE_STATUSES.includes(v as CaseStatus) ? (v as CaseStatus) : undefined)),
  payment: one.transform((v) => (PAYMENT_STATES.includes(v as PaymentState) ? (v as PaymentState) : undefined)),
  assignee: one.transform((v) => (v === UNASSIGNED || UUID.test(v) ? v : undefined)),
});

/** The filters of a list or export request (the query string's names are French). */
export function parseFilters(query: unknown): CaseListQuery {
  const q = typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
  return filtersSchema.parse({ q: q.q, spaceId: q.espace, status: q.etat, payment: q.paiement, assignee: q.attribue });
}

export type RowsChoice = { ok: true; rows: number } | { ok: false; rows: number; asked: string };

/** Rows per page asked for: 10 to 350; outside, the nearest bound is shown and nothing is kept. */
export function rowsChoice(asked: string, current: number): RowsChoice {
  const text = asked.trim();
  if (!/^\d{1,9}$/.test(text)) return { ok: false, rows: current, asked: text.slice(0, 20) };
  const n = Number.parseInt(text, 10);
  if (n < ROWS_PER_PAGE_MIN) return { ok: false, rows: ROWS_PER_PAGE_MIN, asked: text };
  if (n > ROWS_PER_PAGE_MAX) return { ok: false, rows: ROWS_PER_PAGE_MAX, asked: text };
  return { ok: true, rows: n };
}

/** The collaborator chosen ('' to unassign); whether they exist is the route's question. */
export const assignSchema = z.object({ assignee: text.transform((v) => v.trim()) });

/**
 * A notepad entry, trimmed with Unix line ends. The case page shows the refusal after a
 * redirect, so the messages are the page's `erreur` codes (caseWork turns them into text).
 */
export const noteSchema = z.object({
  note: text
    .transform((v) => v.replace(/\r\n/g, '\n').trim())
    .pipe(z.string().min(1, 'note-vide').max(NOTE_MAX, 'note-longue')),
});
