// View models of the document collection's pages, in this feature's types: a case in a list, a
// category with its documents, a document. Database rows satisfy them structurally (a case
// summary, a category state as db/documents computes it), so routes pass what they load and the
// pages name no database type. The whole case page's view (CaseView, server/features/cases/case-view.ts)
// is shared with the case record's pages, which still take the case row.
import type { CaseSummary } from '../../../db/documents.js';

type Locale = 'fr' | 'en';

/** A text in both languages. */
export interface BiTextView {
  fr: string;
  en: string;
}

/** A case in the client's list. */
export interface CaseListItem {
  id: string;
  number: string;
  title: string;
  status: 'open' | 'complete' | 'closed';
  clientName: string;
  /** The procedure's name in the reader's language. */
  templateName: string;
  /** Documents waiting for a review. */
  pending: number;
}

/** What the pages show of a case and use in their links. */
export interface CaseRef {
  id: string;
  status: 'open' | 'complete' | 'closed';
}

/** A piece a category asks for, and of whom. */
export interface PieceView {
  code: string;
  label: BiTextView;
  role: string;
}

/** A category of the case's procedure. */
export interface CategoryView {
  id: string;
  code: string;
  label: string;
  label_en: string;
  accepts: readonly BiTextView[];
  pieces: readonly PieceView[];
  refusal_reasons: readonly (BiTextView & { code: string; archived?: boolean | undefined })[];
}

/** A document deposited. */
export interface DocumentItem {
  id: string;
  file_name: string;
  size_bytes: number;
  page_count: number | null;
  status: 'pending' | 'validated' | 'rejected';
  piece_code: string | null;
  rejection_reason: string | null;
  review_comment: string | null;
  deposited_by: string | null;
  created_at: Date;
}

/** A category, where it stands, what it still lacks and its documents. */
export interface CategoryStateView {
  category: CategoryView;
  state: 'complete' | 'in_review' | 'refused' | 'missing' | 'optional';
  missing: readonly PieceView[];
  documents: readonly DocumentItem[];
}

/** The cases of the client's list, the procedure named in the reader's language. */
export function caseListItems(summaries: readonly CaseSummary[], locale: Locale): CaseListItem[] {
  return summaries.map((c) => ({
    id: c.id,
    number: c.number,
    title: c.title,
    status: c.status,
    clientName: c.clientName,
    templateName: locale === 'en' ? c.templateNameEn : c.templateName,
    pending: c.pending,
  }));
}

/** A text in the reader's language. */
export function inLocale(value: BiTextView, locale: Locale): string {
  return value[locale];
}

/** A category's name in the reader's language. */
export function categoryName(category: Pick<CategoryView, 'label' | 'label_en'>, locale: Locale): string {
  return locale === 'en' ? category.label_en : category.label;
}
