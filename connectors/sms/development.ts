// The development SMS provider: sends nothing, writes each message to `dev_sms_outbox`, which
// /dev/sms lists in the development run or with DEV_TOOLS=true, like the mail outbox.
import type { Db } from '../../db/connect.js';
import { ConnectorError } from '../errors.js';
import type { SmsProvider } from './types.js';

export function createDevelopmentSmsProvider(db: Db): SmsProvider {
  return {
    name: 'development',
    delivers: false,
    async send(message) {
      try {
        const row = await db.insertInto('dev_sms_outbox').values({ recipient: message.to, body: message.body }).returning('id').executeTakeFirstOrThrow();
        return { id: `dev:${row.id}` };
      } catch (err) {
        throw new ConnectorError('sms', 'unavailable', 'the development outbox could not be written', undefined, undefined, { cause: err });
      }
    },
  };
}
