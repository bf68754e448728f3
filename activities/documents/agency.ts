// What the agency hears beyond deposits: the case complete, and a client's comment on the case
// (each as an e-mail to the team and a private note).
import { ApplicationFailure } from '@temporalio/common';
import { findAccountById } from '../../db/accounts.js';
import { setCaseStatus } from '../../db/documents.js';
import { findCaseComment } from '../../db/case-workflows.js';
import { enqueueNotification } from '../../db/notifications.js';
import { escapeForRedmine } from '../../domain/redmine-text.js';
import { caseKey, emitWebhookEvent } from '../../app/webhooks/emit.js';
import { wakeEndpointsFromActivity } from '../webhooks.js';
import { agency, type CaseHelpers, type DocumentActivityDeps } from './deps.js';

export function createAgencySteps({ db, publicUrl, redmine }: DocumentActivityDeps, helpers: CaseHelpers) {
  const { loadCase, agencyEmail, note } = helpers;
  return {
    /** Staff hear that every required piece is validated (e-mail and private note), once. */
    async notifyCaseComplete(input: { caseId: string }): Promise<{ notificationId: string | null }> {
      const kase = await loadCase(input.caseId);
      if (kase.status === 'open') {
        const told = await db.transaction().execute(async (tx) =>
          // Told once: only the call that makes it complete writes the event.
          (await setCaseStatus(tx, kase.id, 'complete'))
            ? emitWebhookEvent(tx, undefined, {
                type: 'case.completed',
                orderingKey: caseKey(kase.id),
                spaceId: kase.space_id,
                data: { caseId: kase.id, caseNumber: kase.number, spaceId: kase.space_id, state: 'complete' },
              })
            : [],
        );
        await wakeEndpointsFromActivity(told);
      }
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
      // A client's words reach staff as typed: escaped for Redmine's formatter.
      const formatting = redmine?.textFormatting ?? 'textile';
      await note(
        kase,
        `comment-${comment.id}`,
        agency.documents.noteComment(
          escapeForRedmine(name, formatting, { inline: true }),
          escapeForRedmine(comment.body, formatting, { inline: true }),
        ),
      );
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
  };
}
