// The development SMS provider: sends nothing, hands each message to an outbox (in Guichet the
// `dev_sms_outbox` table, which /dev/sms lists in the development run or with DEV_TOOLS=true,
// like the mail outbox).
import { ConnectorError } from '../errors.js';
import type { SmsMessage, SmsProvider } from './types.js';

/** Keeps a message and returns its id. */
export type SmsOutbox = (message: SmsMessage) => Promise<string>;

export function createDevelopmentSmsProvider(outbox: SmsOutbox): SmsProvider {
  return {
    name: 'development',
    delivers: false,
    async send(message) {
      try {
        return { id: `dev:${await outbox(message)}` };
      } catch (err) {
        throw new ConnectorError(
          'sms',
          'unavailable',
          'the development outbox could not be written',
          undefined,
          undefined,
          { cause: err },
        );
      }
    },
  };
}
