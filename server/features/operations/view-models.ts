// View models of the operations pages: what the development outbox pages show of a stored mail or SMS.
import type { Notification } from '../../../db/database.js';
import { displayPhone } from '../../../domain/phone.js';

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
  // Recipients are E.164: shown the way people read them (+33 6 12 34 56 78).
  return { recipient: displayPhone(sms.recipient), body: sms.body, createdAt: sms.created_at };
}
