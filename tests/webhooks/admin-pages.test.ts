// The webhook pages through HTTP on the whole system (server, worker, Temporal dev server): only
// administrators reach them; a bad endpoint is refused with clear messages and nothing stored; a
// client's message reaches a real receiver signed (checked by `standardwebhooks`) and without its
// text; the secret is rotated, the endpoint paused and resumed, a delivery replayed.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import type { Space } from '../../db/database.js';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhooks.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';
import { Receiver } from './receiver.js';

let system: RunningSystem & { url: string };
const receiver = new Receiver();

beforeAll(async () => {
  system = await startTestSystem({ WEBHOOK_ALLOW_LOOPBACK: 'true' });
  await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
  await system?.stop();
});

async function staffBrowser(admin: boolean): Promise<Browser> {
  const { account, password } = await createStaff(system.database.db, { admin, spaces: 'all' });
  const browser = new Browser(system.app!);
  expect((await browser.login(account.email, password, 'staff')).statusCode).toBe(303);
  return browser;
}

async function clientMessage(space: Space, body: string): Promise<void> {
  const { account, password } = await createClient(system.database.db, { space });
  const browser = new Browser(system.app!);
  await browser.login(account.email, password);
  const res = await browser.post(
    '/conversations',
    { spaceId: space.id, subject: 'Question', body },
    { formUrl: '/conversations/nouvelle' },
  );
  expect(res.statusCode).toBe(303);
}

/** Waits (real time: the dev server's worker delivers) until `done` holds. */
async function eventually(done: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await done()) && Date.now() < until) await sleep(100);
  expect(await done()).toBe(true);
}

const allEvents = Object.fromEntries(WEBHOOK_EVENT_TYPES.map((e) => [`ev_${e}`, 'on']));

function secretOf(html: string): string {
  const secret = /<code class="secret">(whsec_[A-Za-z0-9+/=]+)<\/code>/.exec(html)?.[1];
  if (!secret) throw new Error('no secret on the page');
  return secret;
}

async function endpointCount(): Promise<number> {
  const r = await system.database.db
    .selectFrom('webhook_endpoints')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

describe('webhook pages', () => {
  it('are for administrators only', async () => {
    const anonymous = new Browser(system.app!);
    const signIn = await anonymous.get('/back-office/webhooks');
    expect(signIn.statusCode).toBe(302);
    expect(String(signIn.headers.location)).toContain('/back-office/connexion');
    const agent = await staffBrowser(false);
    expect((await agent.get('/back-office/webhooks')).statusCode).toBe(403);
    const before = await endpointCount();
    const refused = await agent.post(
      '/back-office/webhooks',
      { url: 'https://example.com/hooks', ...allEvents },
      { formUrl: '/back-office/reglages' },
    );
    expect(refused.statusCode).toBe(403);
    expect(await endpointCount()).toBe(before);
    // Without the form's CSRF token, even an administrator is refused.
    const admin = await staffBrowser(true);
    expect((await admin.get('/back-office/webhooks')).statusCode).toBe(200);
    const forged = await admin.post(
      '/back-office/webhooks',
      { url: 'https://example.com/hooks', ...allEvents },
      { csrf: null },
    );
    expect(forged.statusCode).toBe(403);
    expect(await endpointCount()).toBe(before);
  });

  it('refuses a bad endpoint with clear messages and stores nothing', async () => {
    const admin = await staffBrowser(true);
    const before = await endpointCount();
    const cases: Array<[Record<string, string>, string]> = [
      [{ url: 'ftp://example.com/x', ...allEvents }, 'L’adresse doit commencer par https://.'],
      [{ url: 'http://example.com/x', ...allEvents }, 'L’adresse doit commencer par https://.'],
      [
        { url: 'https://10.1.2.3/x', ...allEvents },
        'Cette adresse est sur un réseau privé ou local : elle est refusée.',
      ],
      [{ url: 'https://169.254.169.254/latest', ...allEvents }, 'Cette adresse est sur un réseau privé ou local'],
      [{ url: 'https://user:pw@example.com/x', ...allEvents }, 'L’adresse ne doit pas contenir d’identifiant'],
      [{ url: 'pas une adresse', ...allEvents }, 'L’adresse doit être une URL complète'],
      [{ url: 'https://example.com/x' }, 'Cochez au moins un événement.'],
      [
        { url: 'https://example.com/x', ...allEvents, 'sp_00000000-0000-4000-8000-000000000000': 'on' },
        'Un des espaces cochés n’existe pas.',
      ],
    ];
    for (const [fields, message] of cases) {
      const res = await admin.post('/back-office/webhooks', fields, { formUrl: '/back-office/webhooks' });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(message);
    }
    expect(await endpointCount()).toBe(before);
  });

  it('delivers signed events, rotates the secret, pauses, resumes and replays', async () => {
    const admin = await staffBrowser(true);
    const space = await createSpace(system.database.db, 'Webhooks');
    const created = await admin.post(
      '/back-office/webhooks',
      { url: receiver.url, description: 'ERP', 'ev_message.received': 'on', [`sp_${space.id}`]: 'on' },
      { formUrl: '/back-office/webhooks' },
    );
    expect(created.statusCode).toBe(303);
    const page = String(created.headers.location);
    expect(page).toMatch(/^\/back-office\/webhooks\/[0-9a-f-]{36}\?fait=cree$/);
    const base = page.split('?')[0]!;
    const shown = await admin.get(page);
    expect(shown.statusCode).toBe(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    receiver.secret = secretOf(shown.body);

    await clientMessage(space, 'Mon IBAN est FR76 secret');
    await eventually(() => receiver.received.some((r) => r.status === 200));
    const first = receiver.received[0]!;
    expect(first.verified).toBe(true);
    expect(first.body.type).toBe('message.received');
    expect(first.body.data).toMatchObject({ spaceId: space.id, author: 'client' });
    expect(JSON.stringify(first.body)).not.toContain('IBAN');

    // A new secret: the next request is signed with it (the old one no longer verifies it).
    const old = receiver.secret;
    expect((await admin.post(`${base}/secret`, {}, { formUrl: base })).statusCode).toBe(303);
    receiver.secret = secretOf((await admin.get(base)).body);
    expect(receiver.secret).not.toBe(old);
    await clientMessage(space, 'Deuxième message');
    await eventually(() => receiver.received.length >= 2);
    expect(receiver.received[1]!.verified).toBe(true);

    // Paused: events wait; resumed: they go.
    expect((await admin.post(`${base}/pause`, {}, { formUrl: base })).statusCode).toBe(303);
    expect((await admin.get(base)).body).toContain('En pause');
    await clientMessage(space, 'Pendant la pause');
    const pending = await system.database.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'status'])
      .where('endpoint_id', '=', base.split('/').pop()!)
      .where('status', '=', 'pending')
      .execute();
    expect(pending).toHaveLength(1);
    expect(receiver.received).toHaveLength(2);
    expect((await admin.post(`${base}/reprise`, {}, { formUrl: base })).statusCode).toBe(303);
    await eventually(() => receiver.received.length >= 3);
    expect(receiver.received[2]!.verified).toBe(true);

    // The page lists the deliveries with their attempts; a replay sends one again with its id.
    const listing = (await admin.get(base)).body;
    expect(listing.match(/data-delivery="/g)).toHaveLength(3);
    expect(listing).toContain('Remis');
    const deliveryId = /data-delivery="([0-9a-f-]{36})"/.exec(listing)![1]!;
    const replayed = await admin.post(`${base}/envois/${deliveryId}/renvoi`, {}, { formUrl: base });
    expect(replayed.statusCode).toBe(303);
    await eventually(() => receiver.received.length >= 4);
    expect(receiver.received[3]!.id).toBe(receiver.received[2]!.id);
    // Another endpoint's delivery id, or an unknown one: not found.
    const unknown = await admin.post(
      `${base}/envois/00000000-0000-4000-8000-000000000000/renvoi`,
      {},
      { formUrl: base },
    );
    expect(unknown.statusCode).toBe(404);
    // Every change is audited.
    const actions = await system.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('subject_id', '=', base.split('/').pop()!)
      .orderBy('id')
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'webhook.create',
      'webhook.rotate',
      'webhook.pause',
      'webhook.resume',
      'webhook.replay',
    ]);
  });
});
