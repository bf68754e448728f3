// The collection's pace and its reminders: the template's policy (when to remind, how long to
// gather deposits) and each reminder of the missing pieces, to the client and to every active
// contributor who may deposit (only their own role's pieces).
import type { Case } from '../../db/database.js';
import { findAccountById } from '../../db/accounts.js';
import { caseProgress, type CategoryState } from '../../db/documents.js';
import { caseAccessFor, visibleProgress } from '../../db/contributors.js';
import { activeContributors, templateOfCase } from '../../db/case-workflows.js';
import { enqueueNotification } from '../../db/notifications.js';
import { renderTemplate } from '../../db/templates.js';
import { categoryLabel, isCaseComplete, text } from '../../domain/pieces.js';
import { messages } from '../../i18n/index.js';
import type { CaseHelpers, CollectionPolicy, DocumentActivityDeps } from './deps.js';

/** What is missing per category, and the refused documents with why, in the person's language. */
function missingLines(states: readonly CategoryState[], locale: 'fr' | 'en'): string[] {
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
  return lines;
}

export function createReminderSteps({ db, publicUrl }: DocumentActivityDeps, { loadCase }: CaseHelpers) {
  /** A reminder of the missing pieces among these states to one person; none when nothing is missing. */
  async function remind(
    kase: Case,
    client: { email: string; full_name: string; locale: 'fr' | 'en' },
    states: readonly CategoryState[],
    idempotencyKey: string,
  ): Promise<string | null> {
    if (states.every((s) => s.missing.length === 0)) return null;
    const locale = client.locale;
    const mail = await renderTemplate(db, 'document-reminder', locale, {
      clientFullName: client.full_name,
      caseNumber: kase.number,
      missingDocuments: missingLines(states, locale).join('\n'),
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
