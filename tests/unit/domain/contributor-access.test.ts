// Who may do what in a case (seed 002): the owner everything, a contributor as their role allows
// (only their role's pieces and their own files unless `seeAll`), occasional access only reads;
// and the invitation's clock.
import { describe, expect, it } from 'vitest';
import {
  CONTRIBUTOR_DEFAULTS,
  contributorRoles,
  invitationExpiresAt,
  invitationPolicy,
  mainRole,
  mayWithdraw,
  memberGrant,
  needsRoles,
  OCCASIONAL_PERMISSIONS,
  OWNER_GRANT,
  OWNER_PERMISSIONS,
  rolePermissions,
  visibleCollection,
  type TemplateRole,
} from '../../../domain/contributor-access.js';

const roles: TemplateRole[] = [
  { code: 'tenant', fr: 'Locataire', en: 'Tenant' },
  {
    code: 'guarantor',
    fr: 'Garant',
    en: 'Guarantor',
    permissions: { view: true, deposit: true, message: true, seeAll: false },
  },
  {
    code: 'spouse',
    fr: 'Conjoint',
    en: 'Spouse',
    permissions: { view: true, deposit: false, message: false, seeAll: true },
  },
  {
    code: 'banned',
    fr: 'Exclu',
    en: 'Excluded',
    permissions: { view: false, deposit: true, message: true, seeAll: true },
  },
  { code: 'cosigner', fr: 'Cosignataire', en: 'Co-signer' },
];
const template = { roles };

describe('permissions', () => {
  it('the owner may do everything, occasional access only read', () => {
    expect(OWNER_PERMISSIONS).toEqual({ view: true, deposit: true, message: true, seeAll: true });
    expect(OWNER_GRANT).toEqual({ kind: 'owner', memberId: null, role: null, permissions: OWNER_PERMISSIONS });
    expect(OCCASIONAL_PERMISSIONS).toEqual({ view: true, deposit: false, message: false, seeAll: true });
  });

  it('a role without stored permissions deposits and sees its own pieces', () => {
    expect(CONTRIBUTOR_DEFAULTS).toEqual({ view: true, deposit: true, message: false, seeAll: false });
    expect(rolePermissions(template, 'cosigner')).toBe(CONTRIBUTOR_DEFAULTS);
    expect(rolePermissions(template, 'unknown')).toBe(CONTRIBUTOR_DEFAULTS);
    expect(rolePermissions(template, 'guarantor')).toEqual(roles[1]?.permissions);
  });

  it('the main role is the first, contributors are invited as the others', () => {
    expect(mainRole(template)?.code).toBe('tenant');
    expect(mainRole({ roles: [] })).toBeUndefined();
    expect(contributorRoles(template).map((r) => r.code)).toEqual(['guarantor', 'spouse', 'banned', 'cosigner']);
    expect(contributorRoles({ roles: [] })).toEqual([]);
  });
});

describe('memberGrant', () => {
  it('occasional access reads, without reading the roles', () => {
    const member = { id: 'm1', kind: 'occasional' as const, role: 'guarantor' };
    expect(needsRoles(member)).toBe(false);
    expect(memberGrant(member, undefined)).toEqual({
      kind: 'occasional',
      memberId: 'm1',
      role: null,
      permissions: OCCASIONAL_PERMISSIONS,
    });
  });

  it('a contributor gets their role’s permissions', () => {
    const member = { id: 'm2', kind: 'contributor' as const, role: 'guarantor' };
    expect(needsRoles(member)).toBe(true);
    expect(memberGrant(member, template)).toEqual({
      kind: 'contributor',
      memberId: 'm2',
      role: 'guarantor',
      permissions: roles[1]?.permissions,
    });
    expect(memberGrant({ id: 'm3', kind: 'contributor', role: null }, template)?.permissions).toBe(
      CONTRIBUTOR_DEFAULTS,
    );
  });

  it('a contributor whose role may not view has no access at all', () => {
    expect(memberGrant({ id: 'm4', kind: 'contributor', role: 'banned' }, template)).toBeUndefined();
  });
});

describe('visibleCollection', () => {
  const categories = [
    {
      id: 'identity',
      pieces: [
        { code: 'id', role: 'tenant' },
        { code: 'gid', role: 'guarantor' },
      ],
    },
    { id: 'income', pieces: [{ code: 'payslip', role: 'tenant' }] },
    { id: 'guarantee', pieces: [{ code: 'tax', role: 'guarantor' }] },
  ];
  const documents = [
    { id: 'd1', deposited_by: 'owner' },
    { id: 'd2', deposited_by: 'guarantor-account' },
    { id: 'd3', deposited_by: null },
  ];

  it('everything with seeAll', () => {
    const seen = visibleCollection(
      { accountId: 'spouse-account', role: 'spouse', permissions: roles[2]!.permissions! },
      categories,
      documents,
    );
    expect(seen.categories).toEqual(categories);
    expect(seen.documents).toEqual(documents);
  });

  it('a contributor sees only their role’s pieces and their own documents', () => {
    const seen = visibleCollection(
      { accountId: 'guarantor-account', role: 'guarantor', permissions: roles[1]!.permissions! },
      categories,
      documents,
    );
    expect(seen.categories.map((c) => c.id)).toEqual(['identity', 'guarantee']);
    expect(seen.categories[0]?.pieces).toEqual([{ code: 'gid', role: 'guarantor' }]);
    expect(seen.documents.map((d) => d.id)).toEqual(['d2']);
    // The categories given are left as they were.
    expect(categories[0]?.pieces).toHaveLength(2);
  });
});

describe('mayWithdraw', () => {
  const owner = { kind: 'owner' as const, accountId: 'owner', permissions: OWNER_PERMISSIONS };
  const guarantor = { kind: 'contributor' as const, accountId: 'g', permissions: CONTRIBUTOR_DEFAULTS };
  const reader = { kind: 'occasional' as const, accountId: 'r', permissions: OCCASIONAL_PERMISSIONS };

  it('the owner withdraws any piece, a contributor only their own, a reader none', () => {
    expect(mayWithdraw(owner, { deposited_by: 'g' })).toBe(true);
    expect(mayWithdraw(owner, { deposited_by: null })).toBe(true);
    expect(mayWithdraw(guarantor, { deposited_by: 'g' })).toBe(true);
    expect(mayWithdraw(guarantor, { deposited_by: 'owner' })).toBe(false);
    expect(mayWithdraw(reader, { deposited_by: 'r' })).toBe(false);
    const noDeposit = { ...guarantor, permissions: { ...CONTRIBUTOR_DEFAULTS, deposit: false } };
    expect(mayWithdraw(noDeposit, { deposited_by: 'g' })).toBe(false);
  });
});

describe('invitations', () => {
  it('reads the reminder days and the expiry from the configuration', () => {
    expect(invitationPolicy({ CONTRIBUTOR_REMINDER_DAYS: '2,5', CONTRIBUTOR_INVITATION_DAYS: 14 })).toEqual({
      reminderDays: [2, 5],
      expiryDays: 14,
    });
    expect(invitationPolicy({ CONTRIBUTOR_REMINDER_DAYS: ' 1, 3 ,7 ', CONTRIBUTOR_INVITATION_DAYS: 10 })).toEqual({
      reminderDays: [1, 3, 7],
      expiryDays: 10,
    });
    expect(invitationPolicy({ CONTRIBUTOR_REMINDER_DAYS: '0', CONTRIBUTOR_INVITATION_DAYS: 14 }).reminderDays).toEqual(
      [],
    );
    expect(invitationPolicy({ CONTRIBUTOR_REMINDER_DAYS: '', CONTRIBUTOR_INVITATION_DAYS: 14 }).reminderDays).toEqual(
      [],
    );
  });

  it('expires the given number of days after it was sent', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(invitationExpiresAt({ reminderDays: [], expiryDays: 14 }, now).toISOString()).toBe(
      '2026-12-15T10:00:00.000Z',
    );
    expect(now.toISOString()).toBe('2026-12-01T10:00:00.000Z');
  });
});
