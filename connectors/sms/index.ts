// SMS connector: the provider interface and the providers (development only, for now).
import type { Db } from '../../db/connect.js';
import { createDevelopmentSmsProvider } from './development.js';
import type { SmsProvider } from './types.js';

export type { SmsMessage, SmsProvider } from './types.js';
export { createDevelopmentSmsProvider } from './development.js';

export function createSmsProvider(options: { provider: 'development'; db: Db }): SmsProvider {
  switch (options.provider) {
    case 'development':
      return createDevelopmentSmsProvider(options.db);
  }
}
