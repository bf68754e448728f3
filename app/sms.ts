// The SMS provider this deployment uses (SMS_PROVIDER), built the same way for every caller: the
// staff "send SMS" on a client record, the phone confirmation of the notification preferences,
// the notifier. The development provider writes to the outbox /dev/sms lists.
import type { Config } from '../config.js';
import { createSmsProvider, type SmsProvider } from '../connectors/sms/index.js';
import type { Db } from '../db/connect.js';
import { recordDevSms } from '../db/dev-outbox.js';

export function configuredSmsProvider(
  db: Db,
  config: Pick<Config, 'SMS_PROVIDER' | 'BREVO_API_KEY' | 'BREVO_API_URL' | 'SMS_SENDER'>,
): SmsProvider {
  return createSmsProvider({
    provider: config.SMS_PROVIDER,
    outbox: (message) => recordDevSms(db, message),
    brevo: config.BREVO_API_KEY
      ? { apiKey: config.BREVO_API_KEY, sender: config.SMS_SENDER, baseUrl: config.BREVO_API_URL }
      : undefined,
  });
}
