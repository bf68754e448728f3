// The grace window against the real Redmine, through the whole system: five public notes within
// 30 s make one e-mail; a note made private 20 s after it was written is in no e-mail and no SMS;
// a note edited 20 s after it was written is e-mailed in its edited form. The rescan is set long
// on purpose: what the client is told must not depend on it (the notifier re-reads the issues
// when the window ends).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { openDatabase } from '../../db/connect.js';
import { createRedmineClient, type RedmineClient } from '../../connectors/redmine/index.js';
import { listMessages } from '../../db/conversations.js';
import { confirmPhone, setNotificationModes, setUnconfirmedPhone } from '../../db/notification-preferences.js';
import type { RunningSystem } from '../../runtime/system.js';
import { notifierStateQuery, notifierWorkflowId } from '../../workflows/index.js';
import { createClient, createSpace } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { RedmineAdmin, redmineTestEnv, unique, openConversationWithIssue } from '../helpers/redmine.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';
import type { Db } from '../../db/connect.js';
import type { Space } from '../../db/database.js';

let system: RunningSystem & { url: string };
let smtp: TestSmtp;
let staff: RedmineClient;
let admin: RedmineAdmin;
let space: Space;
let db: Db;
let connection: Connection;
let temporal: Client;
const GRACE_SECONDS = 35;

beforeAll(async () => {
  const env = redmineTestEnv();
  smtp = await startSmtp();
  staff = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
  admin = new RedmineAdmin(env);
  const probe = await openDatabase({ url: inject('databaseUrl') });
  space = await createSpace(probe.db, 'Gestion locative');
  await probe.close();
  system = await startTestSystem({
    SMTP_URL: smtp.url,
    REDMINE_URL: env.url,
    STAFF_LOGIN: 'local',
    REDMINE_API_KEY: env.apiKey,
    REDMINE_PROJECTS: `${space.slug}=guichet-demo`,
    REDMINE_POLL_SECONDS: '0.5',
    REDMINE_RESCAN_MINUTES: '30',
    NOTIFY_GRACE_SECONDS: String(GRACE_SECONDS),
  });
  db = system.database.db;
  connection = await Connection.connect({ address: inject('temporalAddress') });
  temporal = new Client({ connection });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await connection?.close();
  await smtp?.close();
  await admin?.cleanUp();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

async function clientWrites(subject: string) {
  const { account, password } = await createClient(db, { space, name: 'Claire Martin' });
  const browser = new Browser(system.app!);
  await browser.login(account.email, password);
  const { conversationId, issueId } = await openConversationWithIssue(
    browser,
    db,
    admin,
    { spaceId: space.id, subject, body: 'Bonjour.' },
    20_000,
  );
  return { account, conversationId, issueId };
}

const answerMails = (email: string) =>
  smtp.to(email).filter((m) => !(m.subject ?? '').startsWith('Votre demande est prise'));

async function journalOf(issueId: number, text: string) {
  const journals = (await staff.getIssue(issueId, { journals: true }))!.journals!;
  return journals.find((j) => j.notes === text)!;
}

describe('the grace window against Redmine', () => {
  it('five notes within 30 s → one e-mail; a note made private after 20 s → no e-mail, no SMS; edited after 20 s → the edited text', async () => {
    const five = await clientWrites(unique('Cinq notes'));
    const hidden = await clientWrites(unique('Note retirée'));
    const edited = await clientWrites(unique('Note corrigée'));
    // The client of the withdrawn note wants SMS too: none may go.
    const phone = `+3362${String(Date.now()).slice(-7)}`;
    await setUnconfirmedPhone(db, hidden.account.id, phone);
    expect(await confirmPhone(db, hidden.account.id, phone)).toBe(true);
    await setNotificationModes(db, hidden.account.id, { smsMode: 'each' });

    const texts = [1, 2, 3, 4, 5].map((i) => `Point ${i} de notre réponse.`);
    await staff.addNote(hidden.issueId, { notes: 'Texte à retirer : SECRET-FENETRE.' });
    const hiddenAt = Date.now();
    await staff.addNote(edited.issueId, { notes: 'Première version avec une erreur.' });
    const editedAt = Date.now();
    // 20 s after they were written, while the five notes go on: one made private, one edited.
    const changes = (async () => {
      await sleep(Math.max(0, hiddenAt + 20_000 - Date.now()));
      const hiddenJournal = await journalOf(hidden.issueId, 'Texte à retirer : SECRET-FENETRE.');
      await admin.http.json({
        method: 'PUT',
        path: `/journals/${hiddenJournal.id}.json`,
        json: { journal: { private_notes: true } },
      });
      await sleep(Math.max(0, editedAt + 20_000 - Date.now()));
      const editedJournal = await journalOf(edited.issueId, 'Première version avec une erreur.');
      await admin.http.json({
        method: 'PUT',
        path: `/journals/${editedJournal.id}.json`,
        json: { journal: { notes: 'Version finale, corrigée.' } },
      });
    })();
    // The page shows a note as soon as it is mirrored (the window is for e-mails only).
    await eventually(
      () => listMessages(db, hidden.conversationId),
      (m) => m.some((x) => x.body.includes('SECRET-FENETRE')),
      'the note on the page',
    );
    const start = Date.now();
    for (const [i, text] of texts.entries()) {
      await staff.addNote(five.issueId, { notes: text });
      if (i < texts.length - 1) await sleep(3_000);
    }
    expect(Date.now() - start).toBeLessThan(30_000);
    await changes;

    // The edited note: one e-mail, in its final form.
    const editedMail = await smtp.waitFor((m) => answerMails(edited.account.email).includes(m), 60_000);
    expect(editedMail.text).toContain('Version finale, corrigée.');
    expect(editedMail.text).not.toContain('Première version');
    expect(editedMail.html).toContain('Version finale, corrigée.');

    // The five notes: all within the first one’s window, one e-mail.
    const fiveMail = await smtp.waitFor((m) => answerMails(five.account.email).includes(m), 90_000);
    for (const text of texts) expect(fiveMail.text).toContain(text);
    await sleep(10_000);
    expect(answerMails(five.account.email)).toHaveLength(1);

    // The withdrawn note: gone from the database, in no e-mail, and no SMS is sent or waiting.
    expect((await listMessages(db, hidden.conversationId)).some((m) => m.body.includes('SECRET-FENETRE'))).toBe(false);
    expect(answerMails(hidden.account.email)).toHaveLength(0);
    expect(smtp.mails.some((m) => `${m.text ?? ''}${m.html || ''}`.includes('SECRET-FENETRE'))).toBe(false);
    const sms = await db.selectFrom('dev_sms_outbox').select('body').where('recipient', '=', phone).execute();
    expect(sms).toHaveLength(0);
    const notifier = temporal.workflow.getHandle(notifierWorkflowId(hidden.account.id));
    const described = await notifier.describe();
    if (described.status.name === 'RUNNING') {
      const state = await notifier.query(notifierStateQuery);
      expect(state).toMatchObject({ pending: 0, sms: 0, held: 0 });
    } else {
      expect(described.status.name).toBe('COMPLETED');
    }
  }, 240_000);
});
