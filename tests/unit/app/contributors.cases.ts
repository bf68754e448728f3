// Contributor use cases against an in-memory PostgreSQL and an in-memory workflow gateway: adding
// a person to a case (invited now or later), the invitation's workflow and its clock, accepting
// a link once, revoking; and the access each membership then gives (domain/contributor-access.ts
// through db/contributors.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { acceptPerson, addPerson, revokePerson, sendInvitation } from '../../../app/contributors.js';
import type { Actor } from '../../../app/conversations.js';
import type { Db } from '../../../db/connect.js';
import { caseAccessFor, issueInvitationToken, visibleProgress } from '../../../db/contributors.js';
import type { Case } from '../../../db/database.js';
import { findTemplateBySlug } from '../../../db/documents.js';
import {
  CONTRIBUTOR_DEFAULTS,
  OCCASIONAL_PERMISSIONS,
  type InvitationPolicy,
} from '../../../domain/contributor-access.js';
import { makeCase } from '../../helpers/documents.js';
import { createClient, createSpace, uniqueEmail } from '../../helpers/fixtures.js';
import { memoryWorkflowGateway } from '../helpers/workflow-gateway.js';

/** Registers these cases; `database` gives the migrated in-memory database (use-cases.test.ts). */
export function contributorCases(database: () => Db): void {
  let db: Db;
  let owner: Actor;
  let kase: Case;
  const policy: InvitationPolicy = { reminderDays: [2, 5], expiryDays: 14 };
  const IP = '192.0.2.10';
  const noLog = () => {};

  beforeAll(async () => {
    db = database();
    const space = await createSpace(db);
    const client = (await createClient(db, { space, password: null })).account;
    owner = { account: client, ip: IP };
    const template = await findTemplateBySlug(db, 'demande-location');
    if (!template) throw new Error('the seeded rental template is missing');
    kase = await makeCase(db, { space, client, template });
  });

  describe('adding a person', () => {
    it('invites at once with notify: a generation, an expiry, and the workflow with the policy', async () => {
      const workflows = memoryWorkflowGateway();
      const before = Date.now();
      const member = await addPerson(db, workflows, policy, owner, kase, {
        name: 'Gaston Garant',
        email: uniqueEmail('garant'),
        kind: 'contributor',
        role: 'garant',
        notify: true,
      });
      const row = await db.selectFrom('case_members').selectAll().where('id', '=', member.id).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'invited', kind: 'contributor', role: 'garant', generation: 1 });
      const expiry = row.invitation_expires_at!.getTime();
      expect(expiry).toBeGreaterThanOrEqual(before + 14 * 86_400_000);
      expect(expiry).toBeLessThanOrEqual(Date.now() + 14 * 86_400_000);
      expect(workflows.calls).toEqual([
        {
          method: 'contributorInvitation',
          args: [
            { type: 'invite', input: { memberId: member.id, generation: 1, reminderDays: [2, 5], expiryDays: 14 } },
          ],
        },
      ]);
      const actions = await db
        .selectFrom('audit_log')
        .select('action')
        .where('subject_id', '=', member.id)
        .orderBy('id')
        .execute();
      expect(actions.map((a) => a.action)).toEqual(['case.member.add', 'case.member.invite']);
    });

    it('without notify, adds the person and invites later; a re-sent invitation is a new generation', async () => {
      const workflows = memoryWorkflowGateway();
      const member = await addPerson(db, workflows, policy, owner, kase, {
        name: 'Odile Occasionnelle',
        email: uniqueEmail('occasionnelle'),
        kind: 'occasional',
        role: null,
        notify: false,
      });
      expect(workflows.calls).toEqual([]);
      expect(await sendInvitation(db, workflows, policy, owner, member)).toBe(true);
      expect(await sendInvitation(db, workflows, policy, owner, member)).toBe(true);
      expect(
        workflows.callsOf('contributorInvitation').map(([e]) => (e.type === 'invite' ? e.input.generation : e.type)),
      ).toEqual([1, 2]);
    });

    it('refuses the case’s own client and a person already there, keeping nothing', async () => {
      const workflows = memoryWorkflowGateway();
      await expect(
        addPerson(db, workflows, policy, owner, kase, {
          name: 'x',
          email: owner.account.email,
          kind: 'contributor',
          role: 'garant',
          notify: true,
        }),
      ).rejects.toMatchObject({ code: 'is_owner' });
      const email = uniqueEmail('twice');
      await addPerson(db, workflows, policy, owner, kase, {
        name: 'Twice',
        email,
        kind: 'contributor',
        role: 'garant',
        notify: false,
      });
      await expect(
        addPerson(db, workflows, policy, owner, kase, {
          name: 'Twice',
          email,
          kind: 'contributor',
          role: 'garant',
          notify: true,
        }),
      ).rejects.toMatchObject({ code: 'already_member' });
      expect(workflows.calls).toEqual([]);
    });

    it('keeps nothing when the invitation’s workflow cannot be started', async () => {
      const workflows = memoryWorkflowGateway();
      workflows.unavailable = true;
      const email = uniqueEmail('refused');
      await expect(
        addPerson(db, workflows, policy, owner, kase, {
          name: 'R',
          email,
          kind: 'contributor',
          role: 'garant',
          notify: true,
        }),
      ).rejects.toThrow('Temporal is unavailable');
      expect(await db.selectFrom('accounts').select('id').where('email', '=', email).execute()).toEqual([]);
    });
  });

  describe('accepting and revoking', () => {
    it('a link is accepted once; the member then has their role’s access, until revoked', async () => {
      const workflows = memoryWorkflowGateway();
      const member = await addPerson(db, workflows, policy, owner, kase, {
        name: 'Gina Garant',
        email: uniqueEmail('gina'),
        kind: 'contributor',
        role: 'garant',
        notify: true,
      });
      expect(await caseAccessFor(db, member.account_id, kase.id)).toBeUndefined();
      const token = await issueInvitationToken(db, member.id, 1);
      expect(token).toBeDefined();

      const accepted = await acceptPerson(db, workflows, token!, IP, noLog);
      expect(accepted).toMatchObject({ id: member.id, status: 'active' });
      expect(await acceptPerson(db, workflows, token!, IP, noLog)).toBeUndefined();
      expect(workflows.callsOf('contributorInvitation').map(([e]) => e.type)).toEqual(['invite', 'accept']);

      const access = await caseAccessFor(db, member.account_id, kase.id);
      expect(access).toMatchObject({ kind: 'contributor', role: 'garant', memberId: member.id });
      expect(access?.permissions).toEqual(CONTRIBUTOR_DEFAULTS);
      const { states } = await visibleProgress(db, access!);
      expect(states.length).toBeGreaterThan(0);
      for (const s of states) for (const p of s.category.pieces) expect(p.role).toBe('garant');

      expect(await revokePerson(db, workflows, owner, accepted!, noLog)).toBe(true);
      expect(await revokePerson(db, workflows, owner, accepted!, noLog)).toBe(false);
      expect(workflows.callsOf('contributorInvitation').map(([e]) => e.type)).toEqual(['invite', 'accept', 'revoke']);
      expect(await caseAccessFor(db, member.account_id, kase.id)).toBeUndefined();
    });

    it('the owner has every permission, occasional access only reads', async () => {
      expect((await caseAccessFor(db, owner.account.id, kase.id))?.kind).toBe('owner');
      const workflows = memoryWorkflowGateway();
      const member = await addPerson(db, workflows, policy, owner, kase, {
        name: 'Olga',
        email: uniqueEmail('olga'),
        kind: 'occasional',
        role: null,
        notify: true,
      });
      const token = await issueInvitationToken(db, member.id, 1);
      await acceptPerson(db, workflows, token!, IP, noLog);
      const access = await caseAccessFor(db, member.account_id, kase.id);
      expect(access).toMatchObject({ kind: 'occasional', role: null, permissions: OCCASIONAL_PERMISSIONS });
    });
  });
}
