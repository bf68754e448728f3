// SMS: one interface whatever the provider. A real provider (an HTTP API) implements it beside
// the development one; callers never see a provider's own shapes.
export interface SmsMessage {
  /** A phone number as staff typed it (digits, spaces, +, dots, dashes). */
  to: string;
  body: string;
}

export interface SmsProvider {
  /** Shown in logs and on the development page. */
  readonly name: string;
  /** True when messages leave the machine (false for the development provider). */
  readonly delivers: boolean;
  /** Sends one message; fails with a ConnectorError (system `sms`). */
  send(message: SmsMessage): Promise<{ id: string }>;
}
