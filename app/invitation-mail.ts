// The e-mail of a contributor invitation (or of one of its reminders): a fresh single-use link
// issued and the mail queued in one transaction, so a retry never sends a link that was not
// recorded nor records one that was not sent. Occasional access has its own template.
import type { Db } from '../db/connect.js';
import type { Account, Case, CaseMember } from '../db/database.js';
import { issueInvitationToken } from '../db/contributors.js';
import { enqueueNotification } from '../db/notifications.js';
import { renderTemplate } from '../db/templates.js';
import { messages } from '../i18n/index.js';

export interface InvitationMail {
  member: CaseMember;
  person: Account;
  kase: Case;
  owner: Account;
  /** The contributor's role as the invited person reads it. */
  roleText: string;
  generation: number;
  reminder: number | null;
  idempotencyKey: string;
}

/** The notification queued, or null when the invitation of this generation is no longer open. */
export async function queueInvitationMail(db: Db, publicUrl: string, m: InvitationMail): Promise<string | null> {
  const { member, person, kase, owner } = m;
  return db.transaction().execute(async (tx) => {
    const token = await issueInvitationToken(tx, member.id, m.generation);
    if (!token) return null;
    const locale = person.locale;
    const invitationUrl = `${publicUrl}/invitation/${token}`;
    // Occasional access (seed 003) has its own template: it reads, it deposits nothing.
    const mail =
      member.kind === 'occasional'
        ? await renderTemplate(tx, 'occasional-access', locale, {
            clientFullName: owner.full_name,
            contributorFullName: person.full_name,
            caseNumber: kase.number,
            invitationUrl,
          })
        : await renderTemplate(tx, 'contributor-invitation', locale, {
            clientFullName: owner.full_name,
            contributorFullName: person.full_name,
            contributorRole: m.roleText,
            caseNumber: kase.number,
            invitationUrl,
          });
    const notification = await enqueueNotification(tx, {
      idempotencyKey: m.idempotencyKey,
      recipient: person.email,
      subject: m.reminder === null ? mail.subject : messages(locale).contributors.reminderSubject(mail.subject),
      bodyText: mail.text,
      // The link opens the case: the outbox forgets the body once the e-mail is sent.
      sensitive: true,
    });
    return notification.id;
  });
}
