// Activities of the document collection: what the agency and the client are told (through the
// outbox, once per idempotency key) and the private notes on the case's Redmine issue.
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/connect.js';
import { findAccountById } from '../db/accounts.js';
import type { Case, DocumentRow } from '../db/database.js';
import { caseProgress, findCase, setCaseStatus, type CategoryState } from '../db/documents.js';
import { categoryLabel, isCaseComplete, text } from '../domain/pieces.js';
import { caseAccessFor, visibleProgress } from '../db/contributors.js';
import {
  activeContributors,
  categoriesByIds,
  categoryById,
  documentsWithCategory,
  findCaseComment,
  spaceTeamEmail,
  templateOfCase,
} from '../db/case-workflows.js';
import { enqueueNotification } from '../db/notifications.js';
import { renderTemplate } from '../db/templates.js';
import type { RedmineMirrorContext } from '../connectors/redmine/mirror-context.js';
import { messages, type Messages } from '../i18n/index.js';
import { writePrivateNote } from './redmine.js';

export interface DocumentActivityDeps {
  db: Db;
  redmine: RedmineMirrorContext | undefined;
  publicUrl: string;
}

export interface CollectionPolicy {
  /** ms since the epoch: reminders count from here. */
  startedAt: number;
  reminderDays: number[];
  reminderEveryDays: number;
  digestMinutes: number;
  complete: boolean;
  closed: boolean;
}

/** A mail to a client of the case: greeting, what it says, signature, "do not reply". */
function clientMail(t: Messages, name: string, body: readonly string[]): string {
  return [t.mail.greeting(name), '', ...body, '', t.mail.signature, '', t.mail.noReply].join('\n');
}

/** The agency reads French. */
const agency = messages('fr');

// Long as a whole: a factory of short activities sharing the deps and their helpers.
export function createDocumentActivities({ db, redmine, publicUrl }: DocumentActivityDeps) {
  async function loadCase(caseId: string): Promise<Case> {
    const kase = await findCase(db, caseId);
    // Cases are written before their workflow is signalled; a missing one is not visible yet.
    if (!kase) throw ApplicationFailure.retryable(`case ${caseId} is not visible yet`, 'NotYetVisible');
    return kase;
  }

  async function agencyEmail(kase: Case): Promise<string | null> {
    return spaceTeamEmail(db, kase.space_id);
  }

  async function note(kase: Case, ref: string, body: string): Promise<void> {
    if (!redmine || kase.redmine_issue_id === null) return;
    await writePrivateNote(db, redmine, {
      issueId: kase.redmine_issue_id,
      ref: `case-${kase.id}-${ref}`,
      text: body,
      conversationId: kase.id,
      subjectType: 'case',
    });
  }

  async function docsWithCategory(
    caseId: string,
    ids: readonly string[],
  ): Promise<Array<DocumentRow & { categoryLabel: string }>> {
    return documentsWithCategory(db, caseId, ids);
  }

  async function markCompleteIfSo(kase: Case): Promise<boolean> {
    const { states } = await caseProgress(db, kase);
    return isCaseComplete(states);
  }

  /** A reminder of the missing pieces among these states to one person; none when nothing is missing. */
  async function remind(
    kase: Case,
    client: { email: string; full_name: string; locale: 'fr' | 'en' },
    states: readonly CategoryState[],
    idempotencyKey: string,
  ): Promise<string | null> {
    if (states.every((s) => s.missing.length === 0)) return null;
    const locale = client.locale;
    const t = messages(locale);
    const lines: string[] = [];
    for (const s of states) {
      if (s.missing.length === 0) continue;
      lines.push(`${categoryLabel(s.category, locale)}${locale === 'fr' ? ' :' : ':'}`);
      for (const piece of s.missing) lines.push(`- ${text(piece.label, locale)}`);
      for (const d of s.documents.filter((x) => x.status === 'rejected')) {
        const reason = s.category.refusal_reasons.find((r) => r.code === d.rejection_reason);
        lines.push(
          `  ${t.documents.reminderRefused(d.file_name, reason ? text(reason, locale) : (d.rejection_reason ?? ''))}`,
        );
      }
    }
    const mail = await renderTemplate(db, 'document-reminder', locale, {
      clientFullName: client.full_name,
      caseNumber: kase.number,
      missingDocuments: lines.join('\n'),
      caseUrl: `${publicUrl}/dossiers/${kase.id}`,
    });
    const notification = await enqueueNotification(db, {
      idempotencyKey,
      recipient: client.email,
      subject: mail.subject,
      bodyText: mail.text,
    });
    return notification.id;
  }

  return {
    async loadCollectionPolicy(caseId: string): Promise<CollectionPolicy> {
      const kase = await loadCase(caseId);
      const template = await templateOfCase(db, kase.template_id);
      return {
        startedAt: (kase.collection_started_at ?? kase.created_at).getTime(),
        reminderDays: template.reminder_days,
        reminderEveryDays: template.reminder_every_days,
        digestMinutes: template.digest_minutes,
        complete: kase.status === 'complete',
        closed: kase.status === 'closed',
      };
    },

    /** One private note per deposited document (withdrawn ones are gone and get none). */
    async noteDeposit(input: { caseId: string; documentIds: string[] }): Promise<void> {
      const kase = await loadCase(input.caseId);
      for (const doc of await docsWithCategory(kase.id, input.documentIds)) {
        // Named after who deposited it: the main client or a contributor.
        const depositor = await findAccountById(db, doc.deposited_by ?? kase.client_account_id);
        await note(
          kase,
          `deposit-${doc.id}`,
          agency.documents.noteDeposit(depositor?.full_name ?? '?', doc.file_name, doc.categoryLabel),
        );
      }
    },

    /** One e-mail to the agency for the deposits of a few minutes; none when all were withdrawn. */
    async sendDepositDigest(input: {
      caseId: string;
      ref: string;
      documentIds: string[];
    }): Promise<{ notificationId: string | null }> {
      const kase = await loadCase(input.caseId);
      const recipient = await agencyEmail(kase);
      const docs = await docsWithCategory(kase.id, input.documentIds);
      if (!recipient || docs.length === 0) return { notificationId: null };
      const client = await findAccountById(db, kase.client_account_id);
      const t = agency.documents;
      // A contributor's deposit is named as theirs (the agency must know whose papers these are).
      const others = new Map<string, string>();
      for (const id of new Set(docs.map((d) => d.deposited_by))) {
        if (id && id !== kase.client_account_id) others.set(id, (await findAccountById(db, id))?.full_name ?? '?');
      }
      const notification = await enqueueNotification(db, {
        idempotencyKey: `case-digest:${kase.id}:${input.ref}`,
        recipient,
        subject: t.digestSubject(kase.number, docs.length),
        bodyText: [
          t.digestIntro(client?.full_name ?? '?', kase.number),
          '',
          ...docs.map(
            (d) =>
              `- ${d.categoryLabel} : ${d.file_name}${d.deposited_by && others.has(d.deposited_by) ? ` ${t.depositedBy(others.get(d.deposited_by)!)}` : ''}`,
          ),
          '',
          t.reviewAt(`${publicUrl}/back-office/dossiers/${kase.id}`),
        ].join('\n'),
      });
      return { notificationId: notification.id };
    },

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
      // A contributor's refused piece is told to that contributor (who may see it), else to the main
      // client: one e-mail per person, naming only their own files.
      const byRecipient = new Map<string, typeof refused>();
      for (const d of refused) {
        let to = kase.client_account_id;
        if (d.deposited_by && d.deposited_by !== kase.client_account_id) {
          const access = await caseAccessFor(db, d.deposited_by, kase.id);
          if (access?.permissions.deposit) to = access.accountId;
        }
        byRecipient.set(to, [...(byRecipient.get(to) ?? []), d]);
      }
      let notificationId: string | null = null;
      const contributorNotificationIds: string[] = [];
      for (const [accountId, docs] of byRecipient) {
        const client = await findAccountById(db, accountId);
        if (!client) continue;
        const owner = accountId === kase.client_account_id;
        const t = messages(client.locale);
        const lines = docs.map((d) => {
          const category = categories.find((c) => c.id === d.category_id)!;
          const reason = category.refusal_reasons.find((r) => r.code === d.rejection_reason);
          const why = reason ? text(reason, client.locale) : (d.rejection_reason ?? '');
          return t.documents.rejectedLine(
            d.file_name,
            categoryLabel(category, client.locale),
            d.review_comment ? `${why} (${d.review_comment})` : why,
          );
        });
        const notification = await enqueueNotification(db, {
          idempotencyKey: owner
            ? `case-rejected:${kase.id}:${input.ref}`
            : `case-rejected:${kase.id}:${input.ref}:${accountId}`,
          recipient: client.email,
          subject: t.documents.rejectedSubject(kase.number, docs.length),
          bodyText: clientMail(t, client.full_name, [
            t.documents.rejectedIntro,
            ...lines,
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

    /** Staff hear that every required piece is validated (e-mail and private note), once. */
    async notifyCaseComplete(input: { caseId: string }): Promise<{ notificationId: string | null }> {
      const kase = await loadCase(input.caseId);
      if (kase.status === 'open') await setCaseStatus(db, kase.id, 'complete');
      await note(kase, 'complete', agency.documents.noteComplete);
      const recipient = await agencyEmail(kase);
      if (!recipient) return { notificationId: null };
      const client = await findAccountById(db, kase.client_account_id);
      const notification = await enqueueNotification(db, {
        idempotencyKey: `case-complete:${kase.id}`,
        recipient,
        subject: agency.documents.completeSubject(kase.number),
        bodyText: [
          agency.documents.completeBody(client?.full_name ?? '?', kase.number),
          '',
          `${publicUrl}/back-office/dossiers/${kase.id}`,
        ].join('\n'),
      });
      return { notificationId: notification.id };
    },

    async forwardCaseComment(input: { caseId: string; commentId: string }): Promise<{ notificationId: string | null }> {
      const kase = await loadCase(input.caseId);
      const comment = await findCaseComment(db, kase.id, input.commentId);
      if (!comment)
        throw ApplicationFailure.retryable(`comment ${input.commentId} is not visible yet`, 'NotYetVisible');
      const client = await findAccountById(db, comment.author_account_id);
      const name = client?.full_name ?? '?';
      await note(kase, `comment-${comment.id}`, agency.documents.noteComment(name, comment.body));
      const recipient = await agencyEmail(kase);
      if (!recipient) return { notificationId: null };
      const notification = await enqueueNotification(db, {
        idempotencyKey: `case-comment:${comment.id}`,
        recipient,
        subject: agency.documents.commentSubject(kase.number),
        bodyText: [
          agency.documents.commentIntro(name),
          '',
          comment.body,
          '',
          `${publicUrl}/back-office/dossiers/${kase.id}`,
        ].join('\n'),
      });
      return { notificationId: notification.id };
    },

    /** The reminder number `index`: what is missing and what was refused; nothing when complete or closed. */
    async remindMissingPieces(input: { caseId: string; index: number }): Promise<{
      notificationId: string | null;
      complete: boolean;
      closed: boolean;
      contributorNotificationIds?: string[];
    }> {
      const kase = await loadCase(input.caseId);
      if (kase.status === 'closed') return { notificationId: null, complete: false, closed: true };
      const { states } = await caseProgress(db, kase);
      if (isCaseComplete(states)) return { notificationId: null, complete: true, closed: false };
      // Each active contributor who may deposit hears only of their own role's missing pieces.
      const contributorNotificationIds: string[] = [];
      const members = await activeContributors(db, kase.id);
      for (const m of members) {
        const access = await caseAccessFor(db, m.account_id, kase.id);
        const person = await findAccountById(db, m.account_id);
        if (!access?.permissions.deposit || !person) continue;
        const own = await visibleProgress(db, access);
        const id = await remind(kase, person, own.states, `case-reminder:${kase.id}:${input.index}:${m.id}`);
        if (id) contributorNotificationIds.push(id);
      }
      const client = await findAccountById(db, kase.client_account_id);
      if (!client) return { notificationId: null, complete: false, closed: false, contributorNotificationIds };
      const notificationId = await remind(kase, client, states, `case-reminder:${kase.id}:${input.index}`);
      return { notificationId, complete: false, closed: false, contributorNotificationIds };
    },
  };
}
