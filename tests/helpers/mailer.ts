// A mailer for the time-skipping tests: it keeps what it is asked to send, and says it delivered.
// (The SMTP connector itself is tested against a real SMTP server: tests/connectors/mail.test.ts.)
import type { Mailer, OutgoingMail } from '../../connectors/mail/index.js';

export class RecordingMailer implements Mailer {
  readonly delivers = true;
  sent: OutgoingMail[] = [];
  send(mail: OutgoingMail) {
    this.sent.push(mail);
    return Promise.resolve({ messageId: `<${mail.reference}>` });
  }
  verify() {
    return Promise.resolve();
  }
  close() {}
}
