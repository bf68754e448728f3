// The client's answer notifier on the time-skipping test server, with the real activities and
// database: answers within the grace window make one e-mail grouped by conversation; an answer
// withdrawn (made private or deleted: the mirror deletes its row) within it is never sent and an
// edit is sent in its final form; the daily summary goes once a day; an SMS due at night waits
// for 8:00 Paris.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Worker } from '@temporalio/worker';
import type { Mailer, OutgoingMail } from '../../connectors/mail/index.js';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { createConversation, insertMessage } from '../../db/conversations.js';
import { deleteMessage, updateMessageBody } from '../../db/redmine.js';
import { confirmPhone, setNotificationModes, setUnconfirmedPhone } from '../../db/notification-preferences.js';
import { createTestWorker, installTestRuntime } from '../helpers/worker.js';
import { answerSignal, notifierStateQuery, notifierWorkflow, notifierWorkflowId } from '../../workflows/index.js';
import { createClient, createSpace } from '../helpers/fixtures.js';

/** Records what would go out (the SMTP connector and its headers have their own HTTP test). */
class RecordingMailer implements Mailer {
  readonly delivers = true;
  sent: OutgoingMail[] = [];
  send(mail: OutgoingMail) {
    this.sent.push(mail);
    return Promise.resolve({ messageId: mail.messageId ?? `<${mail.reference}>` });
  }
  verify() {
    return Promise.resolve();
  }
  close() {}
}

let env: TestWorkflowEnvironment;
let database: OpenDatabase;
const mailer = new RecordingMailer();
let worker: Worker;
let running: Promise<void>;
const taskQueue = `notifier-${randomBytes(4).toString('hex')}`;
const GRACE = 120;

beforeAll(async () => {
  installTestRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('temporalTestServerPath') } },
  });
  database = await openDatabase({ url: inject('databaseUrl') });
  worker = await createTestWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    db: database.db,
    mailer,
    client: env.client,
    notifyGraceSeconds: GRACE,
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await database?.close();
  await env?.teardown();
});

async function newClient() {
  const db = database.db;
  const space = await createSpace(db);
  const { account } = await createClient(db, { space });
  return account;
}

async function newConversation(accountId: string, subject: string) {
  const db = database.db;
  const space = await createSpace(db);
  const id = randomUUID();
  await createConversation(db, { id, spaceId: space.id, clientAccountId: accountId, subject, cc: '' });
  return id;
}

async function staffAnswer(conversationId: string, body: string) {
  const id = randomUUID();
  await insertMessage(database.db, {
    id,
    conversationId,
    authorKind: 'staff',
    authorAccountId: null,
    authorDisplayName: 'Julien Bernard',
    body,
  });
  return id;
}

function signal(accountId: string, messageId: string, graceSeconds = GRACE) {
  return env.client.workflow.signalWithStart(notifierWorkflow, {
    workflowId: notifierWorkflowId(accountId),
    taskQueue,
    args: [{ accountId, graceSeconds }],
    signal: answerSignal,
    signalArgs: [{ messageId, graceSeconds }],
  });
}

const mailsTo = (email: string) => mailer.sent.filter((m) => m.to === email);

async function until<T>(read: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const state = (accountId: string) =>
  env.client.workflow.getHandle(notifierWorkflowId(accountId)).query(notifierStateQuery);

const parisClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  hour: '2-digit',
  minute: '2-digit',
});
/** Paris wall clock "HH:MM" of an instant. */
function parisTime(t: number): string {
  return parisClock.format(new Date(t));
}

describe('the answer notifier on the time-skipping server', () => {
  it('groups every answer of the grace window in one e-mail, by conversation', async () => {
    const client = await newClient();
    const leak = await newConversation(client.id, 'Fuite sous l’évier');
    const keys = await newConversation(client.id, 'Double des clés');
    const texts = ['Le plombier passe jeudi.', 'Il vous appellera avant.', 'Le double est à l’agence.'];
    await signal(client.id, await staffAnswer(leak, texts[0]!));
    await signal(client.id, await staffAnswer(keys, texts[2]!));
    await env.sleep(30_000);
    await signal(client.id, await staffAnswer(leak, texts[1]!));
    // Within the window: nothing yet.
    await env.sleep(60_000);
    expect(mailsTo(client.email)).toHaveLength(0);
    await env.sleep(40_000);
    const mails = await until(
      () => mailsTo(client.email),
      (l) => l.length > 0,
    );
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe('3 nouvelles réponses dans votre espace client');
    for (const text of texts) expect(mail.text).toContain(text);
    // Grouped: the leak's two answers come under its heading, before the keys' one.
    const order = ['« Fuite sous l’évier »', texts[0]!, texts[1]!, '« Double des clés »', texts[2]!];
    const positions = order.map((s) => mail.text.indexOf(s));
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!))).toBe(true);
    expect(mail.html).toContain('<p>Le plombier passe jeudi.</p>');
    // Several conversations: an e-mail of its own thread, with its one-click unsubscribe.
    expect(mail.inReplyTo).toBeUndefined();
    expect(mail.unsubscribeUrl).toMatch(/^http:\/\/guichet\.test\/notifications\/unsubscribe\/[\w-]{43}$/);
    expect(mail.messageId).toMatch(/^<answer-mail-[0-9a-f]{32}@guichet\.test>$/);
    // No second e-mail for the same answers, and the run has ended.
    await env.sleep(10 * 60_000);
    expect(mailsTo(client.email)).toHaveLength(1);
  });

  it('never sends an answer withdrawn within the window, and sends an edited one as it ends up', async () => {
    const client = await newClient();
    const conversation = await newConversation(client.id, 'Chauffage');
    const kept = await staffAnswer(conversation, 'Texte avec une faute.');
    const withdrawn = await staffAnswer(conversation, 'Note interne : client difficile.');
    await signal(client.id, kept);
    await signal(client.id, withdrawn);
    await env.sleep(20_000);
    // What the mirror does when the note is made private or deleted in Redmine, and on an edit.
    await deleteMessage(database.db, withdrawn);
    await updateMessageBody(database.db, kept, 'Texte corrigé.');
    await env.sleep(GRACE * 1000);
    const mails = await until(
      () => mailsTo(client.email),
      (l) => l.length > 0,
    );
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe('Nouvelle réponse à votre demande : Chauffage');
    expect(mail.text).toContain('Texte corrigé.');
    expect(mail.text).not.toContain('faute');
    // The staff-answer template's text, the note rendered in place of its paragraph.
    expect(mail.html).toContain('<p>Texte corrigé.</p>');
    expect(mail.html).not.toContain('[[guichet-answer-');
    expect(mail.text + (mail.html ?? '')).not.toContain('client difficile');
    // One conversation: threaded under the conversation's root id.
    expect(mail.inReplyTo).toBe(`<conversation-${conversation}@guichet.test>`);
    expect(mail.references).toEqual([`<conversation-${conversation}@guichet.test>`]);
  });

  it('sends nothing at all when every answer of the window was withdrawn', async () => {
    const client = await newClient();
    const conversation = await newConversation(client.id, 'Parking');
    const only = await staffAnswer(conversation, 'Message parti trop tôt.');
    await signal(client.id, only);
    await env.sleep(8_000);
    await deleteMessage(database.db, only);
    await env.sleep(GRACE * 1000);
    await until(
      () => state(client.id),
      (s) => s.pending === 0 && s.batchAt === null,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(mailsTo(client.email)).toHaveLength(0);
  });

  it('sends the daily summary once a day, listing each conversation’s new answers', async () => {
    const client = await newClient();
    await setNotificationModes(database.db, client.id, { emailMode: 'daily' });
    const a = await newConversation(client.id, 'Ascenseur');
    const b = await newConversation(client.id, 'Interphone');
    await signal(client.id, await staffAnswer(a, 'Le technicien est prévenu.'));
    await signal(client.id, await staffAnswer(b, 'Le badge est commandé.'));
    await env.sleep((GRACE + 1) * 1000);
    const held = await until(
      () => state(client.id),
      (s) => s.held === 2 && s.dailyAt !== null,
    );
    expect(held.held).toBe(2);
    expect(parisTime(held.dailyAt!)).toBe('18:00');
    expect(mailsTo(client.email)).toHaveLength(0);

    await env.sleep(held.dailyAt! - (await env.currentTimeMs()) + 1000);
    const first = await until(
      () => mailsTo(client.email),
      (l) => l.length > 0,
    );
    expect(first).toHaveLength(1);
    expect(first[0]!.subject).toBe('Votre résumé du jour : 2 nouvelles réponses');
    expect(first[0]!.text).toContain('« Ascenseur »');
    expect(first[0]!.text).toContain('Le technicien est prévenu.');
    expect(first[0]!.text).toContain('« Interphone »');
    expect(first[0]!.text).toContain('Le badge est commandé.');

    // The next day's answer waits for the next day's summary: one e-mail a day.
    await signal(client.id, await staffAnswer(a, 'Réparé ce matin.'));
    await env.sleep((GRACE + 1) * 1000);
    const next = await until(
      () => state(client.id),
      (s) => s.held === 1 && s.dailyAt !== null,
    );
    expect(next.dailyAt! - held.dailyAt!).toBeGreaterThanOrEqual(23 * 3600_000);
    expect(mailsTo(client.email)).toHaveLength(1);
    await env.sleep(next.dailyAt! - (await env.currentTimeMs()) + 1000);
    const second = await until(
      () => mailsTo(client.email),
      (l) => l.length > 1,
    );
    expect(second).toHaveLength(2);
    expect(second[1]!.text).toContain('Réparé ce matin.');
    expect(second[1]!.text).not.toContain('Le badge est commandé.');
  });

  it('holds an SMS due after 20:00 until 8:00 Paris time, with the subject and no content', async () => {
    const client = await newClient();
    const phone = `+3361${String(Date.now()).slice(-7)}`;
    await setUnconfirmedPhone(database.db, client.id, phone);
    expect(await confirmPhone(database.db, client.id, phone)).toBe(true);
    await setNotificationModes(database.db, client.id, { emailMode: 'none', smsMode: 'each' });
    const smsOf = () =>
      database.db.selectFrom('dev_sms_outbox').select(['body']).where('recipient', '=', phone).execute();

    // Skip the test server's clock to the next 20:30 in Paris.
    let t = await env.currentTimeMs();
    const start = t;
    while (parisTime(t) !== '20:30' && t - start < 25 * 3600_000) t += 60_000;
    expect(parisTime(t)).toBe('20:30');
    await env.sleep(t - (await env.currentTimeMs()));

    const conversation = await newConversation(client.id, 'Dégât des eaux');
    await signal(client.id, await staffAnswer(conversation, 'Contenu confidentiel de la réponse.'), 0);
    const waiting = await until(
      () => state(client.id),
      (s) => s.sms === 1 && s.smsAt !== null,
    );
    expect(parisTime(waiting.smsAt!)).toBe('08:00');
    expect(await smsOf()).toHaveLength(0);
    // Still nothing a minute before 8:00.
    await env.sleep(waiting.smsAt! - (await env.currentTimeMs()) - 60_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(await smsOf()).toHaveLength(0);
    await env.sleep(2 * 60_000);
    const sent = await until(smsOf, (l) => l.length > 0);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toContain('Dégât des eaux');
    expect(sent[0]!.body).toContain(`http://guichet.test/conversations/${conversation}`);
    expect(sent[0]!.body).not.toContain('confidentiel');
    // E-mail mode `none`: no e-mail at all.
    expect(mailsTo(client.email)).toHaveLength(0);
  }, 120_000);
});
