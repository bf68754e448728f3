// Writes around the people a case is shared with. As elsewhere, the Temporal start is inside the
// database transaction (no invitation recorded that no workflow sends); acceptance and
// revocation are recorded first and told to the workflow after: its activities read the
// member's status, so a signal that did not arrive sends no e-mail anyway.
import { findOrCreateClient } from '../db/accounts.js';
import { audit } from '../db/audit.js';
import type { Db } from '../db/connect.js';
import { acceptInvitation, addCaseMember, beginInvitation, revokeMember } from '../db/contributors.js';
import type { Case, CaseMember } from '../db/database.js';
import { invitationExpiresAt, type CaseMemberKind, type InvitationPolicy } from '../domain/contributor-access.js';
import type { WorkflowGateway } from './workflow-gateway.js';
import type { Actor } from './conversations.js';

async function inviteIn(
  tx: Db,
  workflows: WorkflowGateway,
  policy: InvitationPolicy,
  actor: Actor,
  member: Pick<CaseMember, 'id' | 'case_id'>,
): Promise<boolean> {
  const generation = await beginInvitation(tx, member.id, invitationExpiresAt(policy, new Date()));
  if (generation === undefined) return false;
  await audit(tx, {
    actorAccountId: actor.account.id,
    actorKind: actor.account.kind,
    action: 'case.member.invite',
    subjectType: 'case_member',
    subjectId: member.id,
    ip: actor.ip,
    details: { caseId: member.case_id, generation },
  });
  await workflows.contributorInvitation({
    type: 'invite',
    input: { memberId: member.id, generation, reminderDays: policy.reminderDays, expiryDays: policy.expiryDays },
  });
  return true;
}

/** Adds a person (found or created by e-mail) to a case; with `notify`, the invitation goes now. */
export async function addPerson(
  db: Db,
  workflows: WorkflowGateway,
  policy: InvitationPolicy,
  actor: Actor,
  kase: Case,
  person: { name: string; email: string; kind: CaseMemberKind; role: string | null; notify: boolean },
): Promise<CaseMember> {
  return db.transaction().execute(async (tx) => {
    const account = await findOrCreateClient(tx, person.email, person.name);
    const member = await addCaseMember(tx, {
      caseId: kase.id,
      accountId: account.id,
      kind: person.kind,
      role: person.role,
      invitedBy: actor.account.id,
    });
    await audit(tx, {
      actorAccountId: actor.account.id,
      actorKind: actor.account.kind,
      action: 'case.member.add',
      subjectType: 'case_member',
      subjectId: member.id,
      ip: actor.ip,
      details: { caseId: kase.id, kind: person.kind, role: person.role },
    });
    if (person.notify) await inviteIn(tx, workflows, policy, actor, member);
    return member;
  });
}

/** (Re-)sends an invitation: a new link, the old ones dead, reminders and expiry from now. */
export async function sendInvitation(
  db: Db,
  workflows: WorkflowGateway,
  policy: InvitationPolicy,
  actor: Actor,
  member: CaseMember,
): Promise<boolean> {
  return db.transaction().execute((tx) => inviteIn(tx, workflows, policy, actor, member));
}

export async function revokePerson(
  db: Db,
  workflows: WorkflowGateway,
  actor: Actor,
  member: CaseMember,
  log: (err: unknown) => void,
): Promise<boolean> {
  const revoked = await db.transaction().execute(async (tx) => {
    const row = await revokeMember(tx, member.id);
    if (row)
      await audit(tx, {
        actorAccountId: actor.account.id,
        actorKind: actor.account.kind,
        action: 'case.member.revoke',
        subjectType: 'case_member',
        subjectId: member.id,
        ip: actor.ip,
        details: { caseId: member.case_id },
      });
    return row;
  });
  if (!revoked) return false;
  await workflows.contributorInvitation({ type: 'revoke', memberId: member.id }).catch(log);
  return true;
}

/** Accepts an invitation link once; the reminders stop. */
export async function acceptPerson(
  db: Db,
  workflows: WorkflowGateway,
  token: string,
  ip: string,
  log: (err: unknown) => void,
): Promise<CaseMember | undefined> {
  const member = await db.transaction().execute(async (tx) => {
    const row = await acceptInvitation(tx, token);
    if (row)
      await audit(tx, {
        actorAccountId: row.account_id,
        actorKind: 'client',
        action: 'case.member.accept',
        subjectType: 'case_member',
        subjectId: row.id,
        ip,
        details: { caseId: row.case_id },
      });
    return row;
  });
  if (member) await workflows.contributorInvitation({ type: 'accept', memberId: member.id }).catch(log);
  return member;
}
