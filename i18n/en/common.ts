// English: texts shared by every page (product name, navigation, log-in, password, form errors, file refusals, access,
// back-office frame, development pages).
import type * as French from '../fr/common.js';

/** The catalogue's top-level texts: the product's name and the language switch. */
export const top: typeof French.top = {
  appName: 'Guichet',
  langName: 'English',
  skipToContent: 'Skip to content',
  switchLanguage: 'Français',
};

export const nav: typeof French.nav = {
  conversations: 'My messages',
  newMessage: 'New message',
  logout: 'Log out',
  backOffice: 'Back office',
};

export const login: typeof French.login = {
  title: 'Log in to your client space',
  intro: 'Your login is the e-mail address you gave to your contact.',
  email: 'E-mail address',
  password: 'Password',
  submit: 'Log in',
  forgot: 'First visit or forgotten password?',
  failed: 'Wrong e-mail address or password.',
  expired: 'Your session expired after 30 minutes of inactivity. Please log in again.',
  loggedOut: 'You are logged out.',
  staffTitle: 'Back-office login',
  passwordSent: 'Your new password is active: you can use it now.',
};

export const password: typeof French.password = {
  title: 'Get a password',
  intro:
    'Enter your e-mail address: if we know it, you will receive a password by e-mail. Your old password keeps working until you use the new one.',
  submit: 'Send me a password',
  sent: 'If we know this address, an e-mail with a password has just been sent to it. Please check your spam folder too.',
  back: 'Back to login',
};

export const errors: typeof French.errors = {
  subjectRequired: 'Please give your message a subject.',
  subjectTooLong: 'The subject cannot be longer than 200 characters.',
  bodyRequired: 'Please write your message.',
  bodyTooLong: 'The message cannot be longer than 20,000 characters.',
  emailInvalid: 'This e-mail address is not valid.',
  ccInvalid: (list: string) => `These copy addresses are not valid: ${list}.`,
  spaceInvalid: 'Please choose the department.',
  csrf: 'This form has expired. Please send it again.',
  badForm: 'This form could not be read: nothing was kept. Please send it again.',
  tooManyAttempts: (wait: string) => `Too many attempts. Try again in ${wait}.`,
  tooManyMails: (address: string, wait: string) =>
    `${address} has already had all the e-mails allowed from you today. Try again in ${wait}.`,
  waitMinutes: (n: number) => (n === 1 ? '1 minute' : `${n} minutes`),
  waitHours: (n: number) => (n === 1 ? '1 hour' : `${n} hours`),
  notFound: 'This page does not exist or is not available to you.',
  unavailable: 'The service is briefly unavailable: your message was not sent. Please try again in a moment.',
  internal: 'Something unexpected went wrong. Our team has been told.',
  formHasErrors: 'The form has errors:',
};

export const files: typeof French.files = {
  label: 'Attachments (optional)',
  help: 'Accepted formats: PDF, PNG, JPG, TIF, BMP, GIF. At most 10 MB per file and 5 files.',
  refusedType: (name: string) =>
    `The file “${name}” is not accepted: accepted formats are PDF, PNG, JPG, TIF, BMP, GIF, 10 MB at most.`,
  refusedContent: (name: string, kind: string) =>
    `The file “${name}” is not accepted: its content is not that of a ${kind} file. Accepted formats are PDF, PNG, JPG, TIF, BMP, GIF, 10 MB at most.`,
  refusedEmpty: (name: string) => `The file “${name}” is not accepted: it is empty.`,
  refusedTooLarge: (name: string) => `The file “${name}” is not accepted: it is larger than 10 MB.`,
  refusedName: (name: string) => `The file “${name}” is not accepted: its name is not valid.`,
  refusedEncrypted: (name: string) =>
    `The file “${name}” is not accepted: it is password-protected. Please deposit an unprotected copy.`,
  refusedCorrupt: (name: string, kind: string) =>
    `The file “${name}” is not accepted: this ${kind} file is damaged and cannot be read.`,
  refusedTooManyPages: (name: string, pages: number, max: number) =>
    `The file “${name}” is not accepted: it has ${pages} pages, ${max} at most.`,
  refusedActiveContent: (name: string) =>
    `The file “${name}” is not accepted: it contains executable code (a script, a web page or an automatic action).`,
  refusedTooLargeFor: (name: string, mb: string) => `The file “${name}” is not accepted: it is larger than ${mb} MB.`,
  refusedBomb: (name: string) =>
    `The file “${name}” is not accepted: its dimensions or its decompressed content exceed what a document can reasonably hold.`,
  refusedTooComplex: (name: string) =>
    `The file “${name}” is not accepted: it is too complex to check. Please deposit a simpler version (printed again to PDF, for instance).`,
  refusedKindHere: (name: string, kinds: string) =>
    `The file “${name}” is not accepted here: accepted formats are ${kinds}.`,
  tooMany: (max: number) => `You can attach at most ${max} files to a message.`,
  chooseAgain: 'Your message was not sent and no file was kept: please choose your files again.',
};

export const access: typeof French.access = {
  staffSignInRequired: 'Sign in to the back-office to continue.',
};

export const backoffice: typeof French.backoffice = {
  nav: {
    conversations: 'Conversations',
    clients: 'Client records',
    templates: 'E-mail templates',
    settings: 'Settings',
  },
  adminOnly: 'Only administrators may make this change.',
  logoAlt: 'Logo',
};

export const staffLogin: typeof French.staffLogin = {
  redmineLogin: 'Redmine login',
  redmineIntro: 'Log in with your Redmine login and password.',
  redmineUnavailable: 'Redmine does not answer: logging in is not possible right now. Please try again in a moment.',
  redmineMisconfigured: 'Logging in with Redmine is not set up correctly: please tell the Guichet administrator.',
  failed: 'Wrong login or password.',
};

export const dev: typeof French.dev = {
  mailTitle: 'Outbox (development)',
  mailIntro: 'No SMTP server is configured: e-mails stay here.',
  to: 'To',
  subject: 'Subject',
  sentAt: 'Sent',
  none: 'No e-mail.',
};

export const devSms: typeof French.devSms = {
  title: 'SMS sent (development provider)',
  intro: 'The development SMS provider sends nothing: the messages stay here.',
  none: 'No SMS.',
};
