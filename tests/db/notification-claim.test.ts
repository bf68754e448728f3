// An outbox e-mail goes once even when several attempts run at the same time (a workflow task
// retried after a timeout re-runs its local activity while the first one still runs: a 2,000
// reminder bench sent 3 reminders twice that way). Real PostgreSQL and a real SMTP server.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { enqueueNotification, findNotification } from '../../db/notifications.js';
import { createMailer } from '../../connectors/mail/index.js';
import { deliverNotification } from '../../activities/notifications.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

let database: OpenDatabase;
let smtp: TestSmtp;

beforeAll(async () => {
  database = await openDatabase({ url: inject('databaseUrl') });
  smtp = await startSmtp();
});
afterAll(async () => {
  await database?.close();
  await smtp?.close();
});

describe('an outbox e-mail', () => {
  it('is sent once by five attempts at the same time; the others wait and then see it sent', async () => {
    const db = database.db;
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'guichet@example.test' });
    const recipient = `claim-${randomUUID()}@example.test`;
    const n = await enqueueNotification(db, {
      idempotencyKey: `claim-${randomUUID()}`,
      recipient,
      subject: 'Rappel',
      bodyText: 'Votre demande attend une réponse.',
    });
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => deliverNotification(db, mailer, n.id)));
    const sent = outcomes.filter((o) => o.status === 'fulfilled' && o.value === 'sent');
    const busy = outcomes.filter(
      (o) => o.status === 'rejected' && o.reason instanceof Error && /being sent/.test(o.reason.message),
    );
    expect(sent).toHaveLength(1);
    expect(sent.length + busy.length).toBe(5);
    // The refused attempts are retried by Temporal: then it is sent, and nothing goes again.
    expect(await deliverNotification(db, mailer, n.id)).toBe('already-sent');
    await smtp.waitFor((m) => m.subject === 'Rappel' && (m.to ? JSON.stringify(m.to).includes(recipient) : false));
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.to(recipient)).toHaveLength(1);
    const row = await findNotification(db, n.id);
    expect(row?.status).toBe('sent');
    expect(row?.sending_until).toBeNull();
    mailer.close();
  });

  it('is freed by a failed attempt, so that the retry sends it', async () => {
    const db = database.db;
    const refusing = createMailer({ smtpUrl: 'smtp://127.0.0.1:9', from: 'guichet@example.test', timeoutMs: 2000 });
    const mailer = createMailer({ smtpUrl: smtp.url, from: 'guichet@example.test' });
    const recipient = `claim-${randomUUID()}@example.test`;
    const n = await enqueueNotification(db, {
      idempotencyKey: `claim-${randomUUID()}`,
      recipient,
      subject: 'Rappel après panne',
      bodyText: 'Votre demande attend une réponse.',
    });
    await expect(deliverNotification(db, refusing, n.id)).rejects.toThrow();
    expect((await findNotification(db, n.id))?.sending_until).toBeNull();
    expect(await deliverNotification(db, mailer, n.id)).toBe('sent');
    await smtp.waitFor((m) => m.subject === 'Rappel après panne');
    expect(smtp.to(recipient)).toHaveLength(1);
    refusing.close();
    mailer.close();
  });
});
