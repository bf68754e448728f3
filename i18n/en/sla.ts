// English: response times (expected answer, satisfaction question, at-risk list; the reminders and alerts written into Redmine are in i18n/notes).
import type * as French from '../fr/sla.js';

export const sla: typeof French.sla = {
  expectedBy: (date: string) => `Answer expected by ${date} at the latest.`,
  question: 'Did our answer settle your request?',
  yes: 'Yes, my request is resolved',
  no: 'No, I still need help',
  thanksResolved: 'Thank you! Your request is resolved.',
  reopened: 'Your request is open again: we will come back to you.',
  satisfactionSubject: (subject: string) => `Is your request resolved? ${subject}`,
  satisfactionBody:
    'We believe we have answered your request. Please tell us in your client space whether it is resolved. Without a reply within 72 hours, it will be considered resolved.',
  autoResolvedSubject: (subject: string) => `Your request has been resolved: ${subject}`,
  autoResolvedBody:
    'Without a reply 72 hours after our question, your request was marked as resolved. You can still write to us from your client space.',
  atRisk: 'At risk',
  breached: 'Breached',
  askSatisfaction: 'Ask the client whether the request is resolved',
  maxColumn: 'Maximum delay',
  assignee: 'Assignee',
  riskLink: 'Deadlines at risk',
  everyone: 'Everyone',
  unassigned: 'Unassigned (team)',
  riskSummary: (atRisk: number, breached: number) => `${atRisk} at risk, ${breached} breached.`,
  answerRequired: 'Please choose an answer.',
};
