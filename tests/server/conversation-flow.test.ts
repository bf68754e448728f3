// The first vertical slice through every layer, with no Redmine: client message → workflow →
// acknowledgement in the thread and by e-mail → staff answer → e-mail and thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { listMessages } from '../../db/conversations.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
  system = await startTestSystem({ SMTP_URL: smtp.url });
});
afterAll(async () => {
  await system?.stop();
  await smtp?.close();
});

async function waitForMessages(conversationId: string, count: number) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const messages = await listMessages(system.database.db, conversationId);
    if (messages.length >= count || Date.now() > deadline) return messages;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('conversation slice', () => {
  it('acknowledges a new request once, in the thread and by e-mail, and carries the answer back', async () => {
    const db = system.database.db;
    const space = await createSpace(db);
    const { account: client, password } = await createClient(db, { space, name: 'Claire Martin' });
    const { account: staff, password: staffPassword } = await createStaff(db, {
      name: 'Julien Bernard',
      spaces: [space],
    });
    const app = system.app!;

    const browser = new Browser(app);
    const login = await browser.login(client.email, password);
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/conversations');

    const created = await browser.post(
      '/conversations',
      {
        spaceId: space.id,
        subject: 'Fuite dans la salle de bain',
        body: 'Bonjour,\nil y a une fuite.',
        cc: 'Voisin@Example.test',
      },
      { formUrl: '/conversations/nouvelle' },
    );
    expect(created.statusCode).toBe(303);
    const conversationId = /\/conversations\/([0-9a-f-]{36})/.exec(created.headers.location as string)?.[1];
    expect(conversationId).toBeDefined();

    const messages = await waitForMessages(conversationId!, 2);
    expect(messages.map((m) => [m.author_kind, m.kind])).toEqual([
      ['client', 'message'],
      ['system', 'acknowledgement'],
    ]);

    const ack = await smtp.waitFor((m) => m.subject?.includes('Fuite dans la salle de bain') === true);
    expect(ack.subject).toBe('Votre demande est prise en compte : Fuite dans la salle de bain');
    expect(ack.to && !Array.isArray(ack.to) ? ack.to.value[0]?.address : undefined).toBe(client.email);
    expect(ack.cc && !Array.isArray(ack.cc) ? ack.cc.value[0]?.address : undefined).toBe('voisin@example.test');
    expect(ack.text).toContain(`/conversations/${conversationId}`);

    const thread = await browser.get(`/conversations/${conversationId}`);
    expect(thread.statusCode).toBe(200);
    expect(thread.body).toContain('il y a une fuite.');
    expect(thread.body).toContain('votre demande est bien prise en compte');

    // Staff see it in the back-office and answer.
    const office = new Browser(app);
    expect((await office.login(staff.email, staffPassword, 'staff')).statusCode).toBe(303);
    const list = await office.get('/back-office');
    expect(list.body).toContain('Fuite dans la salle de bain');
    expect(list.body).toContain(client.email);
    const answered = await office.post(
      `/back-office/conversations/${conversationId}/reponses`,
      { body: 'Un plombier passe demain matin.' },
      { formUrl: `/back-office/conversations/${conversationId}` },
    );
    expect(answered.statusCode).toBe(303);

    const answerMail = await smtp.waitFor(
      (m) => m.subject === 'Nouvelle réponse à votre demande : Fuite dans la salle de bain',
    );
    expect(answerMail.text).toContain('Un plombier passe demain matin.');
    expect(answerMail.text).toContain('Julien Bernard');

    // With SMTP configured there is no development outbox.
    expect((await app.inject({ url: '/dev/mails', remoteAddress: '127.0.0.1' })).statusCode).toBe(404);

    const after = await browser.get(`/conversations/${conversationId}`);
    expect(after.body).toContain('Un plombier passe demain matin.');
    expect(after.body).toContain('Répondu');

    // A follow-up from the client is stored but not acknowledged a second time.
    const followUp = await browser.post(
      `/conversations/${conversationId}/messages`,
      { body: 'Merci, à demain.' },
      { formUrl: `/conversations/${conversationId}` },
    );
    expect(followUp.statusCode).toBe(303);
    await new Promise((r) => setTimeout(r, 1500));
    const final = await listMessages(db, conversationId!);
    expect(final.filter((m) => m.kind === 'acknowledgement')).toHaveLength(1);
    expect(
      smtp.to(client.email).filter((m) => m.subject?.startsWith('Votre demande est prise en compte')),
    ).toHaveLength(1);
  });

  it('refuses a message without subject or body, in the visitor language, and stores nothing', async () => {
    const db = system.database.db;
    const space = await createSpace(db);
    const { account: client, password } = await createClient(db, { space });
    const browser = new Browser(system.app!);
    await browser.login(client.email, password);
    const res = await browser.post(
      '/conversations',
      { spaceId: space.id, subject: '  ', body: '' },
      { formUrl: '/conversations/nouvelle' },
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Merci d’indiquer l’objet de votre message.');
    expect(res.body).toContain('Merci d’écrire votre message.');
    browser.setCookie('guichet_lang', 'en');
    const en = await browser.post(
      '/conversations',
      { spaceId: space.id, subject: 'Hello', body: ' ', cc: 'not-an-email' },
      { formUrl: '/conversations/nouvelle' },
    );
    expect(en.statusCode).toBe(400);
    expect(en.body).toContain('Please write your message.');
    expect(en.body).toContain('These copy addresses are not valid: not-an-email.');
    const stored = await db
      .selectFrom('conversations')
      .select('id')
      .where('client_account_id', '=', client.id)
      .execute();
    expect(stored).toHaveLength(0);
  });
});
