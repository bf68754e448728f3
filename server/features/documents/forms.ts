// The document collection's forms (zod, server/forms.ts): a deposit's category, the splitting
// zone's pages per category, the client's comment and the staff review. The schemas whose rules
// depend on the case (its open categories, a category's pieces and refusal reasons, the number of
// pages of the PDF sent) are built per request from what the case offers; the others once per
// catalogue. Messages are the catalogue's, in the order the pages have always listed them.
import { z } from 'zod';
import type { Messages } from '../../../i18n/index.js';
import { localized, text } from '../../forms.js';

/** The longest comment a client sends with their documents. */
export const COMMENT_MAX = 2000;
/** The longest comment staff add to a review. */
export const REVIEW_COMMENT_MAX = 500;

/** A deposit's text fields (multipart: read by readFormFields before the files). */
export const depositSchema = z.object({ category: text });

export const COMMENT_FIELDS = ['comment'] as const;

/** The client's comment, trimmed: required, 2,000 characters at most. */
export const commentSchema = localized((t) =>
  z.object({
    comment: text.pipe(
      z.string().trim().min(1, t.documents.commentRequired).max(COMMENT_MAX, t.documents.commentTooLong),
    ),
  }),
);

/**
 * Reads "1-3, 5" into page numbers (from 1, each at most once across the form). Returns
 * undefined when the text is not a list of pages within the document.
 */
export function parsePageList(text: string, pageCount: number): number[] | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const pages: number[] = [];
  for (const part of trimmed.split(/[,;\s]+/).filter((p) => p !== '')) {
    const match = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(part);
    if (!match) return undefined;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from < 1 || to < from || to > pageCount) return undefined;
    for (let p = from; p <= to; p++) pages.push(p);
  }
  return pages;
}

/** A category the splitting zone offers: its id (the field is `pages-<id>`) and its label. */
export interface SplitTarget<C extends { id: string }> {
  category: C;
  label: string;
}

/** A piece of the split: the pages (from 1, in the order typed) that go to one category. */
export interface SplitPiece<C> {
  category: C;
  pages: number[];
}

/** The field holding a category's pages in the splitting zone. */
export function pagesField(categoryId: string): string {
  return `pages-${categoryId}`;
}

/**
 * The splitting zone's pages, one field per open category, for a PDF of `pageCount` pages: each
 * list must be valid, no page may go to two categories, and at least one page must go somewhere.
 */
export function splitSchema<C extends { id: string }>(
  t: Messages,
  targets: readonly SplitTarget<C>[],
  pageCount: number,
): z.ZodType<SplitPiece<C>[]> {
  const fields = Object.fromEntries(targets.map((s) => [pagesField(s.category.id), text]));
  return z.object(fields).transform((values, ctx) => {
    const errors: string[] = [];
    const seen = new Set<number>();
    const pieces: SplitPiece<C>[] = [];
    for (const s of targets) {
      const pages = parsePageList(values[pagesField(s.category.id)] ?? '', pageCount);
      if (!pages) {
        errors.push(t.documents.splitPagesInvalid(s.label));
        continue;
      }
      for (const p of pages) {
        if (seen.has(p)) errors.push(t.documents.splitPageTwice(p));
        seen.add(p);
      }
      if (pages.length > 0) pieces.push({ category: s.category, pages });
    }
    if (errors.length === 0 && pieces.length === 0) errors.push(t.documents.splitNothing);
    for (const message of errors) ctx.addIssue({ code: 'custom', message });
    return pieces;
  });
}

/** What staff decided about a document (db/documents.ts `Review`). */
export type ReviewDecision =
  | { outcome: 'validated'; pieceCode: string | null; comment: string | null }
  | { outcome: 'rejected'; reason: string; comment: string | null };

/** What a category offers a review: the pieces a document may be validated as, the refusal reasons. */
export interface ReviewChoices {
  pieces: readonly { code: string }[];
  refusal_reasons: readonly { code: string; archived?: boolean | undefined }[];
}

/**
 * The staff review of one document: validate (as one of the category's pieces, or none) or reject
 * for one of its current reasons; anything else is a form that cannot be read. The comment is
 * trimmed and cut to 500 characters.
 */
export function reviewSchema(t: Messages, category: ReviewChoices): z.ZodType<ReviewDecision> {
  return z.object({ decision: text, piece: text, reason: text, comment: text }).transform((v, ctx): ReviewDecision => {
    const comment = v.comment.trim().slice(0, REVIEW_COMMENT_MAX) || null;
    if (v.decision === 'validate') {
      const known = category.pieces.some((p) => p.code === v.piece);
      return { outcome: 'validated', pieceCode: known ? v.piece : null, comment };
    }
    if (v.decision === 'reject') {
      if (category.refusal_reasons.some((r) => r.code === v.reason && !r.archived))
        return { outcome: 'rejected', reason: v.reason, comment };
      ctx.addIssue({ code: 'custom', message: t.documents.reasonRequired, path: ['reason'] });
      return z.NEVER;
    }
    ctx.addIssue({ code: 'custom', message: t.errors.badForm, path: ['decision'] });
    return z.NEVER;
  });
}
