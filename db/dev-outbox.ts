// The development SMS outbox: what the development SMS provider "sends" (nothing leaves the
// machine), listed by /dev/sms in the development run or with DEV_TOOLS=true.
import type { Db } from './connect.js';

/** Writes one message; returns its id. */
export async function recordDevSms(db: Db, message: { to: string; body: string }): Promise<string> {
  const row = await db
    .insertInto('dev_sms_outbox')
    .values({ recipient: message.to, body: message.body })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/** The newest 100 messages, newest first. */
export async function listDevSms(db: Db) {
  return db
    .selectFrom('dev_sms_outbox')
    .select(['recipient', 'body', 'created_at'])
    .orderBy('created_at', 'desc')
    .limit(100)
    .execute();
}
