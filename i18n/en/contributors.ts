// English: contributors invited to a case and their access.
import type * as French from '../fr/contributors.js';

export const contributors: typeof French.contributors = {
  readOnly: 'Your access to this case does not allow depositing or withdrawing documents.',
  noMessages: 'Your access to this case does not allow writing to the team.',
  contributorNotice: (role: string) =>
    `You take part in this case as ${role}: you see only the documents asked of you in that role and the files you deposited.`,
  occasionalNotice: 'You have read access to this case: you may read and download its documents.',
  peopleTitle: 'People with access',
  none: 'Nobody else has access to this case.',
  occasional: 'Occasional access',
  occasionalChoice: 'Occasional access (read only)',
  status: {
    invited: 'invitation sent',
    active: 'access active',
    revoked: 'access removed',
    expired: 'invitation expired',
  },
  notSent: 'invitation not sent yet',
  until: 'valid until',
  addTitle: 'Add a person',
  ownerIntro:
    'Invite the person who must deposit their own documents (a guarantor, a co-borrower…). They will see only the documents asked of their role.',
  inviteLink: 'Invite someone to deposit their documents',
  name: 'Full name',
  email: 'E-mail address',
  role: 'Role',
  notify: 'Send the invitation now',
  add: 'Add',
  send: 'Send the invitation',
  resend: 'Send the invitation again',
  sendLabel: (name: string) => `Send a new invitation to ${name}`,
  revoke: 'Remove access',
  revokeLabel: (name: string) => `Remove ${name}’s access`,
  nameRequired: 'Give the person’s full name.',
  nameTooLong: 'The name may not exceed 200 characters.',
  roleInvalid: 'Choose the person’s role in this case.',
  isOwner: 'This person is the case’s main client: they already have access.',
  alreadyMember: 'This person already has access to this case or an open invitation.',
  notAllowed: 'This procedure does not allow inviting other people.',
  added: (name: string) => `${name} was added to the case.`,
  invited: (name: string) => `An invitation was sent to ${name}.`,
  revoked: (name: string) => `${name}’s access was removed.`,
  unavailable: 'The invitation could not be sent right now. Try again in a few minutes.',
  invitationTitle: 'Invitation to a case',
  invitationIntro: (inviter: string, number: string, role: string) =>
    `${inviter} invites you to deposit your documents for case ${number}, as ${role}.`,
  occasionalIntro: (client: string, number: string) => `You were given read access to case ${number} of ${client}.`,
  accept: 'Accept the invitation',
  invalidTitle: 'Link expired or already used',
  invalidHelp:
    'This invitation link is no longer valid: it was used, it expired or a newer invitation replaced it. If you already accepted, log in; otherwise ask for a new invitation.',
  toLogin: 'Log in',
  accepted: 'Invitation accepted: here are the documents asked of you.',
  passwordSent: 'Invitation accepted. We sent you a password by e-mail for your next visits.',
  reminderSubject: (subject: string) => `Reminder: ${subject}`,
  invitationBody: (role: string, number: string, url: string) =>
    `{{clientFullName}} invites you to deposit your documents for case ${number}, as ${role}. You will see only the documents asked of you.\n\nAccept the invitation: ${url}\n\nThis link is personal and works once.`,
  expiredSubject: (number: string) => `Invitation expired for case ${number}`,
  expiredOwnerBody: (name: string, role: string, number: string) =>
    `The invitation of ${name} (${role}) to your case ${number} expired without being accepted. The team can invite them again.`,
  expiredStaffBody: (name: string, role: string, number: string, client: string) =>
    `The invitation of ${name} (${role}) to case ${number} of ${client} expired without being accepted.`,
  permissionsTitle: 'Contributors: permissions per role',
  permissionsHelp:
    'The case’s main client may always do everything. For every other role, what the invited person may do; without “view”, the role has no access.',
  perm: {
    view: 'View their pieces',
    deposit: 'Deposit',
    message: 'Write to the team',
    seeAll: 'See the case’s other documents',
  },
  invitable: 'The main client may invite contributors',
  savePermissions: 'Save the permissions',
  noRoles: 'This procedure has no role besides the main client’s.',
  occasionalMail: {
    subject: (number: string) => `Access to case ${number}`,
    body: (client: string, number: string, url: string) =>
      `You were given read access to case ${number} of ${client}: you may read and download its documents.\n\nOpen the access: ${url}\n\nThis link is personal and works once.`,
  },
};
