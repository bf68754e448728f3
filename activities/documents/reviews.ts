// Reviews: each review as a private note on the case's issue, and the client's grouped e-mail of
// the refusals of a few minutes (a contributor hears of their own refused pieces).
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../../db/connect.js';
import { findAccountById } from '../../db/accounts.js';
import type { Case, DocumentRow } from '../../db/database.js';
import { categoryLabel, text } from '../../domain/pieces.js';
import { caseAccessFor } from '../../db/contributors.js';
import { categoriesByIds, categoryById } from '../../db/case-workflows.js';
import { enqueueNotification } from '../../db/notifications.js';
import { messages } from '../../i18n/index.js';
import { agency, clientMail, type CaseHelpers, type DocumentActivityDeps } from './deps.js';

type Category = Awaited<ReturnType<typeof categoriesByIds>>[number];

/** A contributor's refused piece is told to that contributor (who may see it), else to the main
 * client: the refused documents of each person, by account id. */
async function refusalsByRecipient<D extends Pick<DocumentRow, 'deposited_by'>>(
  db: Db,
  kase: Case,
  refused: readonly D[],
): Promise<Map<string, D[]>> {
  const byRecipient = new Map<string, D[]>();
  for (const d of refused) {
    let to = kase.client_account_id;
    if (d.deposited_by && d.deposited_by !== kase.client_account_id) {
      const access = await caseAccessFor(db, d.deposited_by, kase.id);
      if (access?.permissions.deposit) to = access.accountId;
    }
    byRecipient.set(to, [...(byRecipient.get(to) ?? []), d]);
  }
  return byRecipient;
}

/** One line per refused document, in the client's language: the file, its category and why. */
function refusalLines(docs: readonly DocumentRow[], categories: readonly Category[], locale: 'fr' | 'en'): string[] {
  const t = messages(locale);
  return docs.map((d) => {
    const category = categories.find((c) => c.id === d.category_id)!;
    const reason = category.refusal_reasons.find((r) => r.code === d.rejection_reason);
    const why = reason ? text(reason, locale) : (d.rejection_reason ?? '');
    return t.documents.rejectedLine(
      d.file_name,
      categoryLabel(category, locale),
      d.review_comment ? `${why} (${d.review_comment})` : why,
    );
  });
}

export function createReviewSteps({ db, publicUrl }: DocumentActivityDeps, helpers: CaseHelpers) {
  const { loadCase, note, docsWithCategory, markCompleteIfSo } = helpers;
  return {
    /** The review as a private note; whether it was a refusal (told to the client in a grouped e-mail) and whether the case is now complete. */
    async noteReview(input: {
      caseId: string;
      documentId: string;
    }): Promise<{ notificationId: string | null; rejected: boolean; complete: boolean }> {
      const kase = await loadCase(input.caseId);
      const [doc] = await docsWithCategory(kase.id, [input.documentId]);
      if (!doc || doc.status === 'pending')
        throw ApplicationFailure.retryable(`review of ${input.documentId} is not visible yet`, 'NotYetVisible');
      const staff = doc.reviewed_by ? await findAccountById(db, doc.reviewed_by) : undefined;
      const category = await categoryById(db, doc.category_id);
      const reason = category.refusal_reasons.find((r) => r.code === doc.rejection_reason);
      const withComment = (s: string) => (doc.review_comment ? `${s} (${doc.review_comment})` : s);
      if (doc.status === 'validated')
        await note(
          kase,
          `review-${doc.id}`,
          agency.documents.noteValidated(staff?.full_name ?? '?', doc.file_name, doc.categoryLabel),
        );
      else
        await note(
          kase,
          `review-${doc.id}`,
          agency.documents.noteRejected(
            staff?.full_name ?? '?',
            doc.file_name,
            doc.categoryLabel,
            withComment(reason?.fr ?? doc.rejection_reason ?? ''),
          ),
        );
      return { notificationId: null, rejected: doc.status === 'rejected', complete: await markCompleteIfSo(kase) };
    },

    /** One e-mail to the client for the refusals of a few minutes: each document, its category and why. */
    async sendRefusalDigest(input: {
      caseId: string;
      ref: string;
      documentIds: string[];
    }): Promise<{ notificationId: string | null; contributorNotificationIds?: string[] }> {
      const kase = await loadCase(input.caseId);
      // Still refused when the e-mail goes (a piece re-reviewed since is not told as refused).
      const refused = (await docsWithCategory(kase.id, input.documentIds)).filter((d) => d.status === 'rejected');
      if (refused.length === 0) return { notificationId: null };
      const categories = await categoriesByIds(db, [...new Set(refused.map((d) => d.category_id))]);
      // One e-mail per person, naming only their own files.
      const byRecipient = await refusalsByRecipient(db, kase, refused);
      let notificationId: string | null = null;
      const contributorNotificationIds: string[] = [];
      for (const [accountId, docs] of byRecipient) {
        const client = await findAccountById(db, accountId);
        if (!client) continue;
        const owner = accountId === kase.client_account_id;
        const t = messages(client.locale);
        const notification = await enqueueNotification(db, {
          idempotencyKey: owner
            ? `case-rejected:${kase.id}:${input.ref}`
            : `case-rejected:${kase.id}:${input.ref}:${accountId}`,
          recipient: client.email,
          subject: t.documents.rejectedSubject(kase.number, docs.length),
          bodyText: clientMail(t, client.full_name, [
            t.documents.rejectedIntro,
            ...refusalLines(docs, categories, client.locale),
            '',
            t.documents.rejectedAgain,
            t.documents.depositOnline(`${publicUrl}/dossiers/${kase.id}`),
          ]),
        });
        if (owner) notificationId = notification.id;
        else contributorNotificationIds.push(notification.id);
      }
      return { notificationId, contributorNotificationIds };
    },
  };
}
