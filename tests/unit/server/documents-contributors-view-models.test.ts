// The view models of the documents and contributors features: a case in the client's list, a
// role's name, the invitation page and the permissions form, in French and in English.
import { describe, expect, it } from 'vitest';
import { messages } from '../../../i18n/index.js';
import { caseListItems, categoryName } from '../../../server/features/documents/view-models.js';
import { invitationView, permissionsView, roleLabel } from '../../../server/features/contributors/view-models.js';

const roles = [
  { code: 'titulaire', fr: 'Titulaire', en: 'Holder' },
  {
    code: 'garant',
    fr: 'Garant',
    en: 'Guarantor',
    permissions: { view: true, deposit: false, message: true, seeAll: false },
  },
  { code: 'conjoint', fr: 'Conjoint', en: 'Spouse' },
];

describe('documents view models', () => {
  const summary = {
    id: 'c1',
    number: 'TELEFI-1',
    title: 'Leasing',
    status: 'open' as const,
    clientName: 'Claire Martin',
    spaceName: 'Agence',
    templateName: 'Crédit-bail',
    templateNameEn: 'Leasing',
    pending: 2,
  };

  it('names the procedure in the reader’s language', () => {
    expect(caseListItems([summary], 'fr')[0]).toEqual({
      id: 'c1',
      number: 'TELEFI-1',
      title: 'Leasing',
      status: 'open',
      clientName: 'Claire Martin',
      templateName: 'Crédit-bail',
      pending: 2,
    });
    expect(caseListItems([summary], 'en')[0]?.templateName).toBe('Leasing');
    expect(categoryName({ label: 'Identité', label_en: 'Identity' }, 'en')).toBe('Identity');
  });
});

describe('contributors view models', () => {
  it('names a role, or occasional access, in the reader’s language', () => {
    expect(roleLabel(messages('fr'), 'fr', roles, 'garant')).toBe('Garant');
    expect(roleLabel(messages('en'), 'en', roles, 'garant')).toBe('Guarantor');
    expect(roleLabel(messages('en'), 'en', roles, null)).toBe(messages('en').contributors.occasional);
    expect(roleLabel(messages('fr'), 'fr', roles, 'inconnu')).toBe('inconnu');
  });

  it('gives the invitation page the case, the role and the expiry', () => {
    const expiresAt = new Date('2026-12-01T10:00:00Z');
    const kase = { title: 'Leasing', number: 'TELEFI-1' } as Parameters<typeof invitationView>[3];
    expect(
      invitationView(
        messages('fr'),
        'fr',
        'tok',
        kase,
        { roles },
        { kind: 'contributor', role: 'garant', invitation_expires_at: expiresAt },
        'Claire',
      ),
    ).toEqual({
      token: 'tok',
      caseTitle: 'Leasing',
      caseNumber: 'TELEFI-1',
      role: 'Garant',
      occasional: false,
      inviterName: 'Claire',
      expiresAt,
    });
  });

  it('lists the contributor roles with their permissions, defaulted', () => {
    const view = permissionsView({ id: 't1', roles, contributors_invitable: true });
    expect(view.templateId).toBe('t1');
    expect(view.invitable).toBe(true);
    expect(view.roles.map((r) => [r.code, r.permissions])).toEqual([
      ['garant', { view: true, deposit: false, message: true, seeAll: false }],
      ['conjoint', { view: true, deposit: true, message: false, seeAll: false }],
    ]);
  });
});
