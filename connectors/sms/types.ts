// SMS: one interface whatever the provider. The providers (development, Brevo) implement it;
// callers never see a provider's own shapes.
export interface SmsMessage {
  /** The recipient in E.164 (+33612345678): callers normalise with domain/phone.ts. */
  to: string;
  body: string;
  /**
   * The text's encoding as networks count it (domain/sms-segments.ts, `smsMessage` builds the
   * whole message). Absent: UCS-2 unless every character is printable ASCII, which never garbles
   * a text but may cost more parts.
   */
  encoding?: 'gsm7' | 'ucs2';
}

export interface SmsProvider {
  /** Shown in logs and on the development page. */
  readonly name: string;
  /** True when messages leave the machine (false for the development provider). */
  readonly delivers: boolean;
  /** Sends one message; fails with a ConnectorError (system `sms`), `transient` when worth retrying. */
  send(message: SmsMessage): Promise<{ id: string }>;
}
