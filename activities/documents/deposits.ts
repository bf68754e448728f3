// Deposits: one private note per deposited document, and the agency's digest e-mail of the
// deposits of a few minutes.
import { findAccountById } from '../../db/accounts.js';
import { enqueueNotification } from '../../db/notifications.js';
import { agency, type CaseHelpers, type DocumentActivityDeps } from './deps.js';

export function createDepositSteps({ db, publicUrl }: DocumentActivityDeps, helpers: CaseHelpers) {
  const { loadCase, agencyEmail, note, docsWithCategory } = helpers;
  return {
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
  };
}
