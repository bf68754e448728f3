// English: the staff-facing texts of fr.ts, for organisations that will choose English (not
// configurable yet: notes are written in French). Typed from fr.ts, so a missing key fails tsc.
import type { StaffNotes } from './fr.js';

const megabytes = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

export const en: StaffNotes = {
  issueWrittenBy: (name, email) => `Request written by ${name} <${email}> from the client space.`,
  issueConversationLink: (url) => `Conversation: ${url}`,
  issueOpenedByStaff: (staff, client, email) =>
    `Conversation opened by ${staff} with ${client} <${email}>. The message below is the conversation's first: the client reads it in their space.`,
  issueOpenedByStaffEnd:
    'Public notes are sent on to the client, private notes never; a change made to this description does not reach them.',
  issueDescriptionIsInternal:
    'This description is internal: it is never shown to the client. Public notes are sent on to them, private notes never.',
  clientMessageSignature: (author) => `— ${author} (client space)`,
  attachmentTooLargeForRedmine: (fileName, sizeBytes, url) =>
    `Attachment too large for Redmine, available in Guichet: “${fileName}” (${megabytes.format(sizeBytes / (1024 * 1024))} MB) ${url}`,
  emailFieldChanged: (email, clientEmail) =>
    `⚠ The client e-mail field was changed to “${email}”. This conversation remains ${clientEmail}’s: nothing is sent to the client any more until the field holds ${clientEmail} again. To write to someone else, open a new issue.`,
  emailFieldEmptied: (clientEmail) =>
    `⚠ The client e-mail field was emptied. It must never be: nothing is sent to ${clientEmail} any more until it holds their address again.`,
  acknowledgementSent: 'Acknowledgement sent to the client (in their space and by e-mail).',
  acknowledgementSentAt: (at) => `Acknowledgement sent to the client on ${at} (in their space and by e-mail).`,

  satisfactionAsked:
    'Satisfaction question asked to the client (without an answer within 72 h, the request will be resolved automatically).',
  resolvedAutomatically:
    'Request resolved automatically: no answer from the client 72 hours after the satisfaction question.',
  resolvedByClient: 'The client confirmed that their request is resolved.',
  slaAlertSubject: (kind, subject) =>
    `${kind === 'reminder' ? 'Reminder: answer expected' : kind === 'pre-breach' ? 'Alert: maximum delay about to pass' : 'Maximum delay passed'} — ${subject}`,
  slaAlert: (kind, subject, due, url) =>
    `${kind === 'reminder' ? `Reminder: the client expects an answer to “${subject}” before ${due}.` : kind === 'pre-breach' ? `Alert: “${subject}” has no answer and the maximum delay expires on ${due}.` : `Maximum delay passed: “${subject}” got no answer before ${due}.`}\n${url}`,

  noSubject: '(no subject)',
  vilogiRefusal: {
    type: 'format not accepted',
    content: 'content not matching its format',
    empty: 'empty file',
    too_large: 'over 10 MB',
    name: 'invalid name',
    too_many: 'too many files',
    encrypted: 'password-protected',
    corrupt: 'damaged file',
    too_many_pages: 'too many pages',
    active_content: 'contains executable code',
    bomb: 'dimensions or uncompressed content out of proportion',
    too_complex: 'too complex to be checked',
    kind_not_allowed: 'format not accepted',
  },
  vilogiFileNotTakenInMessage: (file) => `[Attachment not taken: ${file}]`,
  vilogiFileNotTaken: (name, reason) => `Attachment not taken (${reason}): “${name}”`,
  vilogiFileTooLargeForRedmine: (name) => `Attachment too large for Redmine, available in Vilogi: “${name}”`,
  vilogiOrigin: (r) => [
    `Request filed on the Vilogi extranet (no. ${r.id}) on ${r.filedAt}.`,
    `Author: ${r.authorName || '—'}${r.authorEmail ? ` <${r.authorEmail}>` : ' (no e-mail address)'}`,
    `Service: ${r.service || '—'} · Building: ${r.building ?? '—'} · Lot: ${r.lot ?? '—'}`,
  ],
  vilogiNotificationToProcess: (eventModel) =>
    `The Vilogi notification is processed (event model “${eventModel}”) as soon as this issue is created.`,
  vilogiNotificationProcessed: (eventModel) => `Notification processed in Vilogi (event model “${eventModel}”).`,
  vilogiTriage: (authorEmail) =>
    `To sort: Vilogi request ${authorEmail ? `with an unusable e-mail address (“${authorEmail}”)` : 'without an e-mail address'}. It appears in no client space: find the client, then open an issue in their space's project with their e-mail. Public answers written here are sent back to Vilogi.`,
  vilogiSentToRedmine: (issueId) => `Sent to Redmine (#${issueId}) and to the client space.`,
  vilogiSentToClientSpace: 'Sent to the client space.',
  vilogiTriageInRedmine: (issueId) => `To sort in Redmine (#${issueId}).`,
  vilogiTriageInGuichet: 'To sort in the Guichet back office.',
};
