// English: the back-office team page.
import type * as French from '../fr/team.js';

export const team: typeof French.team = {
  nav: 'Team',
  title: 'Team',
  introRedmine: 'Team members come from Redmine (name, e-mail, administrator, spaces).',
  introLocal:
    'Team accounts are local: an administrator gives each person their spaces and removes those who leave the team (their sessions end at once).',
  intro:
    'Here administrators name the heads of service: only they, and administrators, may open the confidential view of a client’s space.',
  name: 'Name',
  email: 'E-mail',
  admin: 'Administrator',
  role: 'Role',
  roles: { agent: 'Staff member', manager: 'Head of service' },
  roleOf: (name: string) => `Role of ${name}`,
  save: 'Save',
  saved: 'The role is saved.',
  roleInvalid: 'There is no such role. Nothing was saved.',
  yes: 'Yes',
  no: 'No',
  spaces: 'Spaces',
  spacesOf: (name: string) => `Spaces of ${name}`,
  allSpaces: 'Every space (administrator)',
  noSpace: 'No space',
  spacesFromRedmine: 'Spaces come from each person’s Redmine projects.',
  editSpaces: 'Change the spaces',
  removeShort: 'Remove…',
  saveSpaces: 'Save the spaces',
  spacesSaved: 'The spaces are saved.',
  spacesInvalid: 'One of the chosen spaces does not exist. Nothing was saved.',
  removal: 'Removal',
  remove: 'Remove from the team',
  removeConfirm: (name: string) => `I confirm removing ${name}: their sessions end at once.`,
  removeConfirmRequired: 'Tick the confirmation box to remove this person. Nothing was changed.',
  removeSelf: 'You cannot remove yourself from the team.',
  removed: 'The person was removed from the team; their sessions have ended.',
};
