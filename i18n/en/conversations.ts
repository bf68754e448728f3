// English: the client's conversations (list, states, new message, thread, acknowledgement) and the back-office
// conversation list.
import type * as French from '../fr/conversations.js';

export const conversations: typeof French.conversations = {
  title: 'My messages',
  empty: 'You have not written any message yet.',
  write: 'Write a new message',
  subject: 'Subject',
  space: 'Department',
  status: 'Status',
  lastActivity: 'Last activity',
  newAnswers: (n: number) => (n === 1 ? '1 new answer' : `${n} new answers`),
  page: (p: number, total: number) => `Page ${p} of ${total}`,
  previous: 'Previous page',
  next: 'Next page',
};

export const status: typeof French.status = {
  open: 'Waiting for an answer',
  answered: 'Answered',
  waiting_client: 'Waiting for you',
  resolved: 'Resolved',
  closed: 'Closed',
};

export const compose: typeof French.compose = {
  title: 'New message',
  space: 'Department',
  subject: 'Subject',
  body: 'Your message',
  cc: 'Copy to (optional)',
  ccHelp: 'E-mail addresses to copy, separated by commas.',
  send: 'Send',
  cancel: 'Cancel',
  required: 'required',
};

export const thread: typeof French.thread = {
  you: 'You',
  reply: 'Reply',
  send: 'Send reply',
  back: 'Back to my messages',
  acknowledgement: 'Acknowledgement',
  sent: 'Sent',
  delivered: 'Delivered to our team',
  attachments: 'Attachments',
  sentAt: (date: string) => `on ${date}`,
};

export const ack: typeof French.ack = {
  body: 'Hello, your request has been received and is being handled. We will come back to you as soon as possible, within 48 working hours at most.',
  author: 'Guichet',
};

export const messageStates: typeof French.messageStates = {
  label: 'Message state',
  to_read: 'To read',
  read: 'Read',
  cancelled: 'Cancelled',
  markRead: 'Mark as read',
  markToRead: 'Mark as to read',
  cancel: 'Cancel the message',
  restore: 'Restore',
  changed: 'The message’s state is changed.',
  cancelledHelp: 'Cancelled message: kept for the record, it no longer calls for an answer.',
};

export const staff: typeof French.staff = {
  title: 'Back office',
  conversations: 'Conversations',
  client: 'Client',
  awaiting: 'To handle',
  answer: 'Answer the client',
  sendAnswer: 'Send answer',
  none: 'No conversation.',
  allSpaces: 'All departments',
  filter: 'Filter',
};
