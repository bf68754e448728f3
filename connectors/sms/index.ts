// SMS connector: the provider interface and the providers (development only, for now).
import { createDevelopmentSmsProvider, type SmsOutbox } from './development.js';
import type { SmsProvider } from './types.js';

export type { SmsMessage, SmsProvider } from './types.js';
export { createDevelopmentSmsProvider, type SmsOutbox } from './development.js';

export function createSmsProvider(options: { provider: 'development'; outbox: SmsOutbox }): SmsProvider {
  switch (options.provider) {
    case 'development':
      return createDevelopmentSmsProvider(options.outbox);
  }
}
