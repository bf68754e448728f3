// Activities of the contributor invitation (seed 002): the invitation and its reminders from the
// editable `contributor-invitation` template (`occasional-access` for occasional access, seed 003),
// each with a fresh single-use link (only its hash is stored, and the e-mail body is blanked in the
// outbox once sent), and the expiry, which the case's owner and the agency hear of.
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/connect.js';
import { findAccountById } from '../db/accounts.js';
import { expireInvitation } from '../db/contributors.js';
import { findCaseMemberById, spaceTeamEmail, templateOfCase } from '../db/case-workflows.js';
import type { Account, Case, CaseMember, DocumentTemplate } from '../db/database.js';
import { findCase } from '../db/documents.js';
import { enqueueNotification, queuedNotificationId } from '../db/notifications.js';
import { queueInvitationMail } from '../app/invitation-mail.js';
import { messages } from '../i18n/index.js';

export interface ContributorActivityDeps {
  db: Db;
  publicUrl: string;
}

interface Loaded {
  member: CaseMember;
  person: Account;
  kase: Case;
  owner: Account;
  template: DocumentTemplate;
}

function roleText(template: DocumentTemplate, member: CaseMember, locale: 'fr' | 'en'): string {
  if (member.kind === 'occasional' || member.role === null) return messages(locale).contributors.occasional;
  const role = template.roles.find((r) => r.code === member.role);
  return role ? role[locale] : member.role;
}

/** The case's owner hears that their contributor's invitation expired. */
async function tellOwnerOfExpiry(db: Db, publicUrl: string, loaded: Loaded, generation: number): Promise<string> {
  const { member, person, kase, owner, template } = loaded;
  const t = messages(owner.locale).contributors;
  const n = await enqueueNotification(db, {
    idempotencyKey: `contributor-expired:${member.id}:${generation}:owner`,
    recipient: owner.email,
    subject: t.expiredSubject(kase.number),
    bodyText: [
      messages(owner.locale).mail.greeting(owner.full_name),
      '',
      t.expiredOwnerBody(person.full_name, roleText(template, member, owner.locale), kase.number),
      '',
      `${publicUrl}/dossiers/${kase.id}`,
      '',
      messages(owner.locale).mail.signature,
    ].join('\n'),
  });
  return n.id;
}

/** The agency hears that an invitation expired (in French: the agency reads French). */
async function tellAgencyOfExpiry(
  db: Db,
  publicUrl: string,
  loaded: Loaded,
  generation: number,
  teamEmail: string,
): Promise<string> {
  const { member, person, kase, owner, template } = loaded;
  const t = messages('fr').contributors;
  const n = await enqueueNotification(db, {
    idempotencyKey: `contributor-expired:${member.id}:${generation}:staff`,
    recipient: teamEmail,
    subject: t.expiredSubject(kase.number),
    bodyText: [
      t.expiredStaffBody(person.full_name, roleText(template, member, 'fr'), kase.number, owner.full_name),
      '',
      `${publicUrl}/back-office/dossiers/${kase.id}#people`,
    ].join('\n'),
  });
  return n.id;
}

export function createContributorActivities({ db, publicUrl }: ContributorActivityDeps) {
  async function load(memberId: string): Promise<Loaded | undefined> {
    const member = await findCaseMemberById(db, memberId);
    if (!member) return undefined;
    const kase = await findCase(db, member.case_id);
    if (!kase) throw new Error(`case ${member.case_id} of member ${memberId} not found`);
    const [person, owner, template] = await Promise.all([
      findAccountById(db, member.account_id),
      findAccountById(db, kase.client_account_id),
      templateOfCase(db, kase.template_id),
    ]);
    if (!person || !owner) throw ApplicationFailure.nonRetryable(`member ${memberId} has no account`, 'NoAccount');
    return { member, person, kase, owner, template };
  }

  return {
    /**
     * The invitation (reminder null) or reminder number `reminder`, with a new link; nothing when
     * the invitation of this generation is no longer open (accepted, revoked, re-sent).
     */
    async sendContributorInvitation(input: {
      memberId: string;
      generation: number;
      reminder: number | null;
    }): Promise<{ notificationId: string | null }> {
      const key = `contributor-invitation:${input.memberId}:${input.generation}:${input.reminder ?? 'first'}`;
      // A retry after the e-mail was queued sends it, without a second link.
      const queued = await queuedNotificationId(db, key);
      if (queued) return { notificationId: queued };
      const loaded = await load(input.memberId);
      // The server signals inside its transaction: a member or generation not seen yet is coming.
      if (!loaded || loaded.member.generation < input.generation)
        throw ApplicationFailure.retryable(
          `invitation ${input.memberId}/${input.generation} is not visible yet`,
          'NotYetVisible',
        );
      const { member, person, kase, owner, template } = loaded;
      if (member.status !== 'invited' || member.generation !== input.generation) return { notificationId: null };
      const notificationId = await queueInvitationMail(db, publicUrl, {
        member,
        person,
        kase,
        owner,
        roleText: roleText(template, member, person.locale),
        generation: input.generation,
        reminder: input.reminder,
        idempotencyKey: key,
      });
      return { notificationId };
    },

    /** The invitation of this generation expires unless it was accepted, revoked or re-sent; the
     * case's owner (for a contributor) and the agency are told. */
    async expireContributorInvitation(input: {
      memberId: string;
      generation: number;
    }): Promise<{ notificationIds: string[] }> {
      const loaded = await load(input.memberId);
      if (!loaded) return { notificationIds: [] };
      if (!(await expireInvitation(db, input.memberId, input.generation))) return { notificationIds: [] };
      const { member, kase } = loaded;
      const ids: string[] = [];
      if (member.kind === 'contributor') ids.push(await tellOwnerOfExpiry(db, publicUrl, loaded, input.generation));
      const teamEmail = await spaceTeamEmail(db, kase.space_id);
      if (teamEmail) ids.push(await tellAgencyOfExpiry(db, publicUrl, loaded, input.generation, teamEmail));
      return { notificationIds: ids };
    },
  };
}
