// Outgoing e-mail through nodemailer. With no SMTP URL nothing leaves the machine: the outbox
// table is the record, and the development page lists it.
import nodemailer from 'nodemailer';
import { ConnectorError } from '../errors.js';

export interface OutgoingMail {
  to: string;
  cc?: string[];
  subject: string;
  text: string;
  /** The same message as HTML (an alternative part); the text part is always sent. */
  html?: string;
  /** Our own id, sent as a header so that a retried delivery can be recognised. */
  reference: string;
  /** A stable Message-ID (`<…@host>`): a retried delivery carries the same one. */
  messageId?: string;
  /** Threading: the id this e-mail answers, and the thread it belongs to. */
  inReplyTo?: string;
  references?: string[];
  /** One-click unsubscribe (RFC 8058): List-Unsubscribe with this https URL, and
   * List-Unsubscribe-Post: List-Unsubscribe=One-Click. */
  unsubscribeUrl?: string;
}

export interface Mailer {
  /** False when mails only go to the outbox. */
  readonly delivers: boolean;
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  verify(): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl?: string | undefined;
  from: string;
  timeoutMs?: number;
}

export function createMailer(options: MailerOptions): Mailer {
  if (!options.smtpUrl) {
    return {
      delivers: false,
      send: (mail) => Promise.resolve({ messageId: `outbox:${mail.reference}` }),
      verify: () => Promise.resolve(),
      close: () => undefined,
    };
  }
  const timeout = options.timeoutMs ?? 15_000;
  const url = new URL(options.smtpUrl);
  const secure = url.protocol === 'smtps:';
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    delivers: true,
    async send(mail) {
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: mail.to,
          ...(mail.cc && mail.cc.length > 0 ? { cc: mail.cc } : {}),
          subject: mail.subject,
          text: mail.text,
          ...(mail.html ? { html: mail.html } : {}),
          ...(mail.messageId ? { messageId: mail.messageId } : {}),
          ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
          ...(mail.references && mail.references.length > 0 ? { references: mail.references } : {}),
          // nodemailer writes `list.unsubscribe` as `List-Unsubscribe: <url>`.
          ...(mail.unsubscribeUrl ? { list: { unsubscribe: mail.unsubscribeUrl } } : {}),
          headers: {
            'X-Guichet-Reference': mail.reference,
            ...(mail.unsubscribeUrl ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
          },
        });
        return { messageId: info.messageId };
      } catch (err) {
        throw toConnectorError(err);
      }
    },
    async verify() {
      try {
        await transport.verify();
      } catch (err) {
        throw toConnectorError(err);
      }
    },
    close: () => transport.close(),
  };
}

function toConnectorError(err: unknown): ConnectorError {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const message = e.message ?? String(err);
  if (e.responseCode !== undefined && e.responseCode >= 500) {
    return new ConnectorError('smtp', 'invalid_request', message, e.responseCode, undefined, { cause: err });
  }
  if (e.code === 'ETIMEDOUT' || e.code === 'ETIMEOUT')
    return new ConnectorError('smtp', 'timeout', message, undefined, undefined, { cause: err });
  if (e.code === 'EAUTH')
    return new ConnectorError('smtp', 'unauthorized', message, undefined, undefined, { cause: err });
  return new ConnectorError('smtp', 'unavailable', message, e.responseCode, undefined, { cause: err });
}
