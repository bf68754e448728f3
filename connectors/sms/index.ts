// SMS connector: the provider interface and the providers (development outbox, Brevo), chosen by
// SMS_PROVIDER. Every caller (the staff "send SMS", the notifier, the phone confirmation) builds
// its provider here.
import { createBrevoSmsProvider } from './brevo.js';
import { createDevelopmentSmsProvider, type SmsOutbox } from './development.js';
import type { SmsProvider } from './types.js';

export type { SmsMessage, SmsProvider } from './types.js';
export { createDevelopmentSmsProvider, type SmsOutbox } from './development.js';
export { createBrevoSmsProvider, brevoSenderProblem, BREVO_DEFAULT_BASE_URL } from './brevo.js';

export interface SmsProviderOptions {
  provider: 'development' | 'brevo';
  /** Where the development provider keeps its messages. */
  outbox: SmsOutbox;
  /** Brevo's settings; required with `provider: 'brevo'` (config.ts refuses to start without them). */
  brevo?: { apiKey: string; sender: string; baseUrl?: string } | undefined;
}

export function createSmsProvider(options: SmsProviderOptions): SmsProvider {
  switch (options.provider) {
    case 'development':
      return createDevelopmentSmsProvider(options.outbox);
    case 'brevo':
      if (!options.brevo) throw new Error('SMS_PROVIDER=brevo needs BREVO_API_KEY and SMS_SENDER');
      return createBrevoSmsProvider(options.brevo);
  }
}
