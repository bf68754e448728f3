// Answer e-mails through the whole system and a real SMTP server: threading headers per
// conversation, the one-click unsubscribe headers (RFC 8058) on the client's e-mail only (a copy's
// reader must not unsubscribe the client), the GET page that changes nothing and the POST that
// turns answer e-mails off, with no session and no CSRF token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import type { RunningSystem } from '../../runtime/system.js';
import { notificationPreferences } from '../../db/notification-preferences.js';
import { listMessages } from '../../db/conversations.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser, multipartBody } from '../helpers/http.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
  system = await startTestSystem({ SMTP_URL: smtp.url, PUBLIC_URL: 'https://guichet.example.test' });
});
afterAll(async () => {
  await system?.stop();
  await smtp?.close();
});

function header(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === name.toLowerCase());
  return line?.line.slice(line.line.indexOf(':') + 1).trim();
}

describe('answer e-mails', () => {
  it('thread per conversation and unsubscribe in one click, which a GET never does', async () => {
    const db = system.database.db;
    const app = system.app!;
    const space = await createSpace(db);
    const { account: client, password } = await createClient(db, { space, name: 'Claire Martin' });
    const { account: staff, password: staffPassword } = await createStaff(db, {
      name: 'Julien Bernard',
      spaces: [space],
    });

    const browser = new Browser(app);
    expect((await browser.login(client.email, password)).statusCode).toBe(303);
    const created = await browser.post(
      '/conversations',
      { spaceId: space.id, subject: 'Volets roulants', body: 'Le volet est bloqué.', cc: 'voisin@example.test' },
      { formUrl: '/conversations/nouvelle' },
    );
    expect(created.statusCode).toBe(303);
    const conversationId = /\/conversations\/([0-9a-f-]{36})/.exec(created.headers.location as string)![1]!;
    const ack = await smtp.waitFor((m) => m.subject === 'Votre demande est prise en compte : Volets roulants');
    const root = `<conversation-${conversationId}@guichet.example.test>`;
    expect(ack.messageId).toBe(root);

    const office = new Browser(app);
    expect((await office.login(staff.email, staffPassword, 'staff')).statusCode).toBe(303);
    const answer = (body: string) =>
      office.post(
        `/back-office/conversations/${conversationId}/reponses`,
        { body },
        { formUrl: `/back-office/conversations/${conversationId}` },
      );
    expect((await answer('Un technicien passe *vendredi*.')).statusCode).toBe(303);

    const isAnswer = (m: ParsedMail) => m.subject === 'Nouvelle réponse à votre demande : Volets roulants';
    const mail = await smtp.waitFor((m) => isAnswer(m) && smtp.to(client.email).includes(m));
    expect(mail.text).toContain('vendredi');
    expect(mail.html).toBeTruthy();
    expect(mail.inReplyTo).toBe(root);
    expect(mail.references === root || (Array.isArray(mail.references) && mail.references.includes(root))).toBe(true);
    expect(mail.messageId).toMatch(/^<answer-mail-[0-9a-f]{32}@guichet\.example\.test>$/);
    const listUnsubscribe = header(mail, 'List-Unsubscribe');
    expect(listUnsubscribe).toMatch(/^<https:\/\/guichet\.example\.test\/notifications\/unsubscribe\/[\w-]{43}>$/);
    expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    // Only the client is on it; the copy went apart, threaded too, without the unsubscribe link.
    expect(smtp.to('voisin@example.test').filter((m) => m === mail)).toHaveLength(0);
    const copy = await smtp.waitFor((m) => isAnswer(m) && smtp.to('voisin@example.test').includes(m));
    expect(copy.inReplyTo).toBe(root);
    expect(header(copy, 'List-Unsubscribe')).toBeUndefined();
    expect(copy.text).not.toContain('/notifications/unsubscribe/');

    const path = new URL(/^<(.*)>$/.exec(listUnsubscribe!)![1]!).pathname;
    // A mail scanner's GET: a page with a button, nothing changed.
    const page = await app.inject({ method: 'GET', url: path });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Ne plus recevoir ces e-mails');
    expect(page.body).toContain(`action="${path}"`);
    expect((await notificationPreferences(db, client.id)).emailMode).toBe('each');

    // An unknown token changes nothing either.
    const forged = await app.inject({
      method: 'POST',
      url: '/notifications/unsubscribe/' + 'A'.repeat(43),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(forged.statusCode).toBe(404);
    expect((await notificationPreferences(db, client.id)).emailMode).toBe('each');

    // The mail program's one-click POST: no session, no CSRF token.
    const posted = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'en' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(posted.statusCode).toBe(200);
    expect((await notificationPreferences(db, client.id)).emailMode).toBe('none');
    // Clicking again is harmless; RFC 8058 prefers multipart/form-data, which works too.
    const form = multipartBody([{ name: 'List-Unsubscribe', value: 'One-Click' }]);
    const again = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': form.contentType },
      payload: form.body,
    });
    expect(again.statusCode).toBe(200);
    expect((await notificationPreferences(db, client.id)).emailMode).toBe('none');

    // The next answer reaches the page but no mailbox (the copies follow the client's choice).
    const before = smtp.mails.length;
    expect((await answer('Le volet est réparé.')).statusCode).toBe(303);
    const deadline = Date.now() + 10_000;
    while (!(await listMessages(db, conversationId)).some((m) => m.body === 'Le volet est réparé.')) {
      if (Date.now() > deadline) throw new Error('the answer was not stored');
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 4000));
    expect(smtp.mails.slice(before).filter(isAnswer)).toHaveLength(0);
  });

  it('limits unsubscribe attempts per address, so tokens cannot be tried in bulk', async () => {
    const app = system.app!;
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const res = await app.inject({
        method: 'POST',
        url: `/notifications/unsubscribe/${'B'.repeat(40)}${String(i).padStart(3, '0')}`,
        remoteAddress: '10.91.0.7',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 30).every((s) => s === 404)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});
