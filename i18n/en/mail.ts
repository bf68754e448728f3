// English: the e-mails sent to clients (greeting, acknowledgement, answers, password).
import type * as French from '../fr/mail.js';

export const mail: typeof French.mail = {
  greeting: (name: string) => `Hello ${name},`,
  signature: 'The Guichet team',
  noReply: 'Please do not reply to this e-mail: write to us from your client space.',
  ackSubject: (subject: string) => `Your request has been received: ${subject}`,
  ackIntro:
    'We have received your message and it is being handled. We will come back to you as soon as possible, within 48 working hours at most.',
  answerSubject: (subject: string) => `New answer to your request: ${subject}`,
  answerIntro: (author: string) => `${author} answered you:`,
  readOnline: (url: string) => `Read and reply in your client space: ${url}`,
  passwordSubject: 'Your client space password',
  passwordBody: (password: string, url: string) =>
    `Here is your password for the client space:\n\n    ${password}\n\nLog in with your e-mail address and this password at ${url}\nIf you did not ask for it, ignore this e-mail: your current password keeps working.`,
};
