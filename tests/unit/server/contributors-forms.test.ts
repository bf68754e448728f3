// The contributors feature's form schemas (server/features/contributors/forms.ts): a person added
// to a case and the permissions per contributor role, with their messages in French and in English.
import { describe, expect, it } from 'vitest';
import { messages } from '../../../i18n/index.js';
import { parseForm } from '../../../server/forms.js';
import {
  OCCASIONAL,
  personSchema,
  rolePermissionsSchema,
  typedPerson,
} from '../../../server/features/contributors/forms.js';

const fr = messages('fr');
const en = messages('en');
const roles = ['garant', 'conjoint'];

describe('person form', () => {
  it('accepts a contributor, trimmed, with the invitation sent or not', () => {
    const body = { name: '  Jeanne Martin ', email: ' jeanne@example.org ', role: 'garant', notify: '1' };
    expect(parseForm(personSchema(fr, roles, true), body)).toEqual({
      ok: true,
      values: { name: 'Jeanne Martin', email: 'jeanne@example.org', kind: 'contributor', role: 'garant', notify: true },
    });
    expect(parseForm(personSchema(fr, roles, false), { ...body, notify: undefined })).toMatchObject({
      ok: true,
      values: { notify: false },
    });
  });

  it('grants occasional access only where it is allowed', () => {
    const body = { name: 'Paul', email: 'paul@example.org', role: OCCASIONAL };
    expect(parseForm(personSchema(fr, roles, true), body)).toMatchObject({
      ok: true,
      values: { kind: 'occasional', role: null },
    });
    expect(parseForm(personSchema(fr, roles, false), body)).toEqual({
      ok: false,
      errors: [fr.contributors.roleInvalid],
    });
  });

  it('lists every problem in the order of the fields, in French and in English', () => {
    expect(parseForm(personSchema(fr, roles, true), { name: ' ', email: 'nope', role: 'x' })).toEqual({
      ok: false,
      errors: [
        'Indiquez le nom et le prénom de la personne.',
        'Cette adresse e-mail n’est pas valide.',
        'Choisissez le rôle de la personne dans ce dossier.',
      ],
    });
    expect(parseForm(personSchema(en, roles, true), {})).toEqual({
      ok: false,
      errors: [
        'Give the person’s full name.',
        'This e-mail address is not valid.',
        'Choose the person’s role in this case.',
      ],
    });
  });

  it('refuses a name over 200 characters', () => {
    const body = { name: 'a'.repeat(201), email: 'a@example.org', role: 'garant' };
    expect(parseForm(personSchema(en, roles, true), body)).toEqual({
      ok: false,
      errors: [en.contributors.nameTooLong],
    });
    expect(parseForm(personSchema(fr, roles, true), { ...body, name: 'a'.repeat(200) }).ok).toBe(true);
  });

  it('shows the form again as typed, the e-mail trimmed', () => {
    expect(typedPerson({ name: ' Jeanne ', email: ' j@example.org ', role: 'garant' })).toEqual({
      name: ' Jeanne ',
      email: 'j@example.org',
      role: 'garant',
      notify: false,
    });
  });
});

describe('role permissions form', () => {
  it('reads the boxes of each role; a role that may not view gets nothing', () => {
    const body = {
      'garant-view': '1',
      'garant-deposit': '1',
      'garant-seeAll': 'on',
      'conjoint-message': '1',
      invitable: '1',
    };
    expect(parseForm(rolePermissionsSchema(roles), body)).toEqual({
      ok: true,
      values: {
        permissions: {
          garant: { view: true, deposit: true, message: false, seeAll: false },
          conjoint: { view: false, deposit: false, message: false, seeAll: false },
        },
        invitable: true,
      },
    });
    expect(parseForm(rolePermissionsSchema([]), {})).toEqual({
      ok: true,
      values: { permissions: {}, invitable: false },
    });
  });
});
