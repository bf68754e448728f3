// Deleting a webhook endpoint through HTTP on the whole system (server, worker, Temporal dev
// server): only an administrator, with the form's CSRF token and the confirmation box, deletes
// it; its waiting deliveries, their attempts and its secret go with it, the deletion is audited,
// and its delivery workflow, which was waiting to retry, really ends (described in Temporal).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { RunningSystem } from '../../runtime/system.js';
import type { Space } from '../../db/database.js';
import { webhookDeliveryWorkflowId } from '../../workflows/index.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { Browser } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';
import { Receiver } from './receiver.js';

let system: RunningSystem & { url: string };
let connection: Connection;
let temporal: Client;
const receiver = new Receiver();

beforeAll(async () => {
  system = await startTestSystem({ WEBHOOK_ALLOW_LOOPBACK: 'true' });
  connection = await Connection.connect({ address: system.temporalAddress });
  temporal = new Client({ connection, namespace: system.config.TEMPORAL_NAMESPACE });
  await receiver.start();
});
afterAll(async () => {
  await receiver.stop();
  await connection?.close();
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

async function workflowStatus(endpointId: string): Promise<string> {
  const description = await temporal.workflow.getHandle(webhookDeliveryWorkflowId(endpointId)).describe();
  return description.status.name;
}

describe('deleting a webhook endpoint', () => {
  it('drops its deliveries and secret, is audited, and ends its delivery workflow', async () => {
    const db = system.database.db;
    const admin = await staffBrowser(true);
    const space = await createSpace(db, 'Webhooks supprimés');
    const created = await admin.post(
      '/back-office/webhooks',
      { url: receiver.url, description: 'ERP', 'ev_message.received': 'on', [`sp_${space.id}`]: 'on' },
      { formUrl: '/back-office/webhooks' },
    );
    expect(created.statusCode).toBe(303);
    const base = String(created.headers.location).split('?')[0]!;
    const endpointId = base.split('/').pop()!;
    const page = await admin.get(base);
    expect(page.body).toContain('Supprimer…');
    expect(page.body).toContain(`action="${base}/suppression"`);
    expect(page.body).toContain('name="confirm"');

    // The receiver is down: the delivery waits for its next attempt, the workflow on its timer.
    receiver.answer = 503;
    await clientMessage(space, 'Bonjour');
    await eventually(() => receiver.received.length >= 1);
    await eventually(async () => {
      const row = await db
        .selectFrom('webhook_attempts')
        .innerJoin('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id')
        .select('webhook_attempts.id')
        .where('webhook_deliveries.endpoint_id', '=', endpointId)
        .executeTakeFirst();
      return row !== undefined;
    });
    expect(await workflowStatus(endpointId)).toBe('RUNNING');

    // Not an administrator, no CSRF token, or no confirmation: nothing is deleted.
    const agent = await staffBrowser(false);
    expect(
      (await agent.post(`${base}/suppression`, { confirm: '1' }, { formUrl: '/back-office/reglages' })).statusCode,
    ).toBe(403);
    expect((await admin.post(`${base}/suppression`, { confirm: '1' }, { csrf: null })).statusCode).toBe(403);
    const unconfirmed = await admin.post(`${base}/suppression`, {}, { formUrl: base });
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('Cochez la case de confirmation');
    expect(
      await db.selectFrom('webhook_endpoints').select('id').where('id', '=', endpointId).executeTakeFirst(),
    ).toEqual({ id: endpointId });

    const deleted = await admin.post(`${base}/suppression`, { confirm: '1' }, { formUrl: base });
    expect(deleted.statusCode).toBe(303);
    expect(deleted.headers.location).toBe('/back-office/webhooks?fait=supprime');
    const list = await admin.get('/back-office/webhooks?fait=supprime');
    expect(list.body).toContain('Le point de réception est supprimé');
    expect(list.body).not.toContain(receiver.url);

    // Its row (with the secret), deliveries and attempts are gone.
    expect(await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', endpointId).execute()).toEqual([]);
    expect(
      await db.selectFrom('webhook_deliveries').select('id').where('endpoint_id', '=', endpointId).execute(),
    ).toEqual([]);
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('subject_id', '=', endpointId)
      .where('action', '=', 'webhook.delete')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).toMatchObject({ host: new URL(receiver.url).host, droppedPending: 1 });
    expect(JSON.stringify(audit[0]!.details)).not.toContain('whsec_');

    // The workflow was woken, found its endpoint gone and ended.
    await eventually(async () => (await workflowStatus(endpointId)) === 'COMPLETED');

    // The receiver is back: nothing more comes, even for a new message of that space.
    const before = receiver.received.length;
    receiver.answer = 200;
    await clientMessage(space, 'Après la suppression');
    await sleep(1_500);
    expect(receiver.received).toHaveLength(before);

    // Gone: its page and a second deletion are not found.
    expect((await admin.get(base)).statusCode).toBe(404);
    expect(
      (await admin.post(`${base}/suppression`, { confirm: '1' }, { formUrl: '/back-office/webhooks' })).statusCode,
    ).toBe(404);
  });
});
