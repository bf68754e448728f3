// View models of the operations pages: what the development outbox pages show of a stored mail or SMS.
import type { Notification } from '../../../db/database.js';

export interface DevMailView {
  subject: string;
  recipient: string;
  cc: string;
  createdAt: Date;
  bodyText: string;
}

export interface DevSmsView {
  recipient: string;
  body: string;
  createdAt: Date;
}

export function devMailView(mail: Notification): DevMailView {
  return {
    subject: mail.subject,
    recipient: mail.recipient,
    cc: mail.cc,
    createdAt: mail.created_at,
    bodyText: mail.body_text,
  };
}

export function devSmsView(sms: { recipient: string; body: string; created_at: Date }): DevSmsView {
  return { recipient: sms.recipient, body: sms.body, createdAt: sms.created_at };
}
