// Issue #17's loose ends against the whole system (server, worker, Temporal dev server) on a
// database of this file's own (the purge deletes by age across the whole database, and the
// change feed's cut would expire other files' cursors): the hourly purge schedule exists; one run
// deletes, in bounded heartbeating batches, exactly the rows that are due and keeps the others,
// and a second run finds nothing; a change-feed cursor from before the cut answers 410
// cursor-expired over HTTP; refused API tokens are counted per address and per token prefix in
// PostgreSQL until a 429 problem with Retry-After, while a valid token is never held back.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Db } from '../../db/connect.js';
import type { Account, Space } from '../../db/database.js';
import { insertEndpoint, insertEventWithDeliveries } from '../../db/webhooks.js';
import type { RunningSystem } from '../../runtime/system.js';
import { PURGE_KINDS } from '../../domain/purges.js';
import { dataPurgeScheduleId, dataPurgeWorkflow } from '../../workflows/index.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { loadServicesEnv, required } from '../helpers/services-env.js';
import { startTestSystem } from '../helpers/system.js';
import { apiClient, makeToken } from './api-client.js';

let system: RunningSystem & { url: string };
let db: Db;
let connection: Connection;
let temporal: Client;
let adminUrl: string;
let dbName: string;
let admin: Account;
let space: Space;

beforeAll(async () => {
  loadServicesEnv();
  adminUrl = required('TEST_DATABASE_URL', 'a PostgreSQL server for tests');
  dbName = `guichet_purge_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const pgAdmin = new pg.Client({ connectionString: adminUrl });
  await pgAdmin.connect();
  await pgAdmin.query(`create database ${dbName}`);
  await pgAdmin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  system = await startTestSystem({ DATABASE_URL: url.toString() });
  db = system.database.db;
  connection = await Connection.connect({ address: inject('temporalAddress') });
  temporal = new Client({ connection });
  admin = (await createStaff(db, { admin: true, spaces: 'all' })).account;
  space = await createSpace(db, 'Purges');
});
afterAll(async () => {
  await connection?.close();
  await system?.stop();
  if (dbName) {
    const pgAdmin = new pg.Client({ connectionString: adminUrl });
    await pgAdmin.connect();
    await pgAdmin.query(`drop database if exists ${dbName} with (force)`);
    await pgAdmin.end();
  }
});

/** Change-feed rows as the triggers write them, dated `daysAgo`; their entity ids. */
async function changes(count: number, daysAgo: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    // One transaction each, as real changes come: each row has a txid of its own.
    await db
      .insertInto('api_changes')
      .values({
        kind: 'case',
        entity_id: id,
        space_id: space.id,
        case_id: id,
        operation: 'update',
        at: sql<Date>`now() - make_interval(days => ${daysAgo})`,
      })
      .execute();
    ids.push(id);
  }
  return ids;
}

/** Every change of the feed through the API, one per page, each with the cursor that follows it. */
async function feed(token: string): Promise<Array<{ entityId: string; cursor: string }>> {
  const call = apiClient(system.url, token);
  const out: Array<{ entityId: string; cursor: string }> = [];
  let cursor: string | null = null;
  for (;;) {
    const res = await call('GET', `/api/v1/changes?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    const page = res.json<{ items: Array<{ id: string }>; next_cursor: string | null }>();
    if (page.items.length === 0) return out;
    cursor = page.next_cursor!;
    out.push({ entityId: page.items[0]!.id, cursor });
  }
}

describe('the data purge', () => {
  it('is scheduled every hour with the configured retention', async () => {
    const description = await temporal.schedule
      .getHandle(dataPurgeScheduleId(system.config.TEMPORAL_TASK_QUEUE))
      .describe();
    expect(description.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'dataPurgeWorkflow',
      args: [{ apiChangesRetentionDays: 90 }],
    });
    expect(description.spec.intervals?.[0]?.every).toBe(3_600_000);
  });

  it('deletes what is due in bounded batches, keeps the rest, expires older cursors, and is idempotent', async () => {
    const { token, id: tokenId } = await makeToken(db, admin, { scope: 'read', spaces: 'all' });

    // Idempotency-Key records: five past their 24 hours, one fresh.
    await db
      .insertInto('api_idempotency_keys')
      .values([
        ...[1, 2, 3, 4, 5].map((i) => ({
          token_id: tokenId,
          key: `old-${i}`,
          request_hash: 'h',
          status: 201,
          created_at: sql<Date>`now() - interval '25 hours'`,
        })),
        { token_id: tokenId, key: 'fresh', request_hash: 'h', status: 201 },
      ])
      .execute();

    // The change feed: five changes past the 90 days, then two recent ones.
    const old = await changes(5, 91);
    const recent = await changes(2, 1);
    const before = await feed(token);
    const position = (id: string) => before.findIndex((c) => c.entityId === id);
    expect(old.map(position)).toEqual([...old.keys()].map((i) => position(old[0]!) + i));
    const cursorInside = before[position(old[1]!)]!.cursor;
    const cursorAtCut = before[position(old[4]!)]!.cursor;

    // Unsubscribe links: used 31 days ago, never used for a year and a day (both go); used
    // yesterday and sent today (both stay).
    const client = (await createClient(db, { space })).account;
    const links = { usedLong: randomUUID(), unusedOld: randomUUID(), usedRecent: randomUUID(), fresh: randomUUID() };
    await db
      .insertInto('notification_unsubscribe_tokens')
      .values([
        {
          token_hash: links.usedLong,
          account_id: client.id,
          used_at: sql<Date>`now() - interval '31 days'`,
          created_at: sql<Date>`now() - interval '40 days'`,
        },
        {
          token_hash: links.unusedOld,
          account_id: client.id,
          used_at: null,
          created_at: sql<Date>`now() - interval '366 days'`,
        },
        { token_hash: links.usedRecent, account_id: client.id, used_at: sql<Date>`now() - interval '1 day'` },
        { token_hash: links.fresh, account_id: client.id, used_at: null },
      ])
      .execute();

    // Phone codes: one expired, one still valid.
    const expiredPhone = (await createClient(db)).account;
    const validPhone = (await createClient(db)).account;
    await db
      .insertInto('phone_confirmations')
      .values([
        {
          account_id: expiredPhone.id,
          phone: '+33600000001',
          code_digest: 'x',
          expires_at: sql<Date>`now() - interval '1 minute'`,
        },
        {
          account_id: validPhone.id,
          phone: '+33600000002',
          code_digest: 'x',
          expires_at: sql<Date>`now() + interval '9 minutes'`,
        },
      ])
      .execute();

    // Webhooks: delivered 31 days ago (goes, with its attempt and then its event), delivered
    // yesterday (stays), failed 60 days ago (stays until replayed or its endpoint deleted),
    // pending (stays).
    const endpoint = await insertEndpoint(db, {
      url: 'https://hooks.example.com/in',
      description: '',
      events: ['message.received'],
      spaceIds: null,
      secret: 'whsec_dGVzdA==',
      createdBy: admin.id,
    });
    const delivery = async (status: 'delivered' | 'failed' | 'pending', daysAgo: number) => {
      const [d] = await insertEventWithDeliveries(
        db,
        { type: 'message.received', orderingKey: `case:${randomUUID()}`, spaceId: space.id, payload: {} },
        [endpoint.id],
      );
      const at = sql<Date>`now() - make_interval(days => ${daysAgo})`;
      await db
        .updateTable('webhook_deliveries')
        .set({ status, delivered_at: status === 'delivered' ? at : null, created_at: at })
        .where('id', '=', d!.deliveryId)
        .execute();
      const row = await db
        .selectFrom('webhook_deliveries')
        .select('event_id')
        .where('id', '=', d!.deliveryId)
        .executeTakeFirstOrThrow();
      await db.updateTable('webhook_events').set({ created_at: at }).where('id', '=', row.event_id).execute();
      await db
        .insertInto('webhook_attempts')
        .values({
          delivery_id: d!.deliveryId,
          attempted_at: at,
          status_code: 200,
          duration_ms: 5,
          ok: true,
          error: null,
        })
        .execute();
      return { id: d!.deliveryId, eventId: row.event_id };
    };
    const deliveredLong = await delivery('delivered', 31);
    const deliveredRecent = await delivery('delivered', 1);
    const failedOld = await delivery('failed', 60);
    const pending = await delivery('pending', 40);

    const workflowId = `data-purge-test-${randomUUID()}`;
    const result = await temporal.workflow.execute(dataPurgeWorkflow, {
      workflowId,
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      args: [{ apiChangesRetentionDays: 90, batchSize: 2 }],
    });
    expect(result).toEqual({
      idempotencyKeys: 5,
      apiChanges: 5,
      unsubscribeTokens: 2,
      phoneConfirmations: 1,
      webhookDeliveries: 1,
      webhookEvents: 1,
    });

    // Each batch was its own activity call (batches of 2: five rows take three calls), with a
    // heartbeat timeout.
    const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes);
    // 3 + 3 + 2 (2 rows: a full batch, then an empty one) + 1 + 1 + 1.
    expect(scheduled).toHaveLength(11);
    for (const e of scheduled) {
      expect(e.activityTaskScheduledEventAttributes!.activityType?.name).toBe('purgeRows');
      expect(Number(e.activityTaskScheduledEventAttributes!.heartbeatTimeout?.seconds)).toBe(30);
    }

    const keys = await db.selectFrom('api_idempotency_keys').select('key').where('token_id', '=', tokenId).execute();
    expect(keys.map((k) => k.key)).toEqual(['fresh']);
    const left = await db
      .selectFrom('api_changes')
      .select('entity_id')
      .where('entity_id', 'in', [...old, ...recent])
      .execute();
    expect(left.map((r) => r.entity_id).sort()).toEqual([...recent].sort());
    const linksLeft = await db
      .selectFrom('notification_unsubscribe_tokens')
      .select('token_hash')
      .where('account_id', '=', client.id)
      .execute();
    expect(linksLeft.map((l) => l.token_hash).sort()).toEqual([links.usedRecent, links.fresh].sort());
    const phones = await db
      .selectFrom('phone_confirmations')
      .select('account_id')
      .where('account_id', 'in', [expiredPhone.id, validPhone.id])
      .execute();
    expect(phones.map((p) => p.account_id)).toEqual([validPhone.id]);
    const deliveries = await db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('endpoint_id', '=', endpoint.id)
      .execute();
    expect(deliveries.map((d) => d.id).sort()).toEqual([deliveredRecent.id, failedOld.id, pending.id].sort());
    const attempts = await db
      .selectFrom('webhook_attempts')
      .select('delivery_id')
      .where('delivery_id', '=', deliveredLong.id)
      .execute();
    expect(attempts).toHaveLength(0);
    const events = await db
      .selectFrom('webhook_events')
      .select('id')
      .where(
        'id',
        'in',
        [deliveredLong, deliveredRecent, failedOld, pending].map((d) => d.eventId),
      )
      .execute();
    expect(events.map((e) => e.id).sort()).toEqual([deliveredRecent, failedOld, pending].map((d) => d.eventId).sort());

    // A cursor inside the purged range: 410 cursor-expired, in the caller's language.
    const call = apiClient(system.url, token);
    const expired = await call('GET', `/api/v1/changes?cursor=${cursorInside}`);
    expect(expired.status).toBe(410);
    expect(expired.headers.get('content-type')).toContain('application/problem+json');
    expect(expired.json()).toMatchObject({
      type: 'https://guichet.example/problems/cursor-expired',
      status: 410,
      title: 'Curseur expiré.',
    });
    expect(expired.json<{ detail: string }>().detail).toContain('90 jours');
    const english = await call('GET', `/api/v1/changes?cursor=${cursorInside}`, {
      headers: { 'accept-language': 'en' },
    });
    expect(english.json()).toMatchObject({ title: 'Cursor expired.' });
    // The cursor after the last purged change missed nothing: the recent changes follow it.
    const atCut = await call('GET', `/api/v1/changes?cursor=${cursorAtCut}&limit=200`);
    expect(atCut.status).toBe(200);
    const ids = atCut.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id);
    expect(ids.slice(0, 2)).toEqual(recent);
    // No cursor: the feed from its start, what is left of it.
    expect((await feed(token)).map((c) => c.entityId)).not.toContain(old[0]);

    // Nothing is due any more: a second run deletes nothing.
    const again = await temporal.workflow.execute(dataPurgeWorkflow, {
      workflowId: `data-purge-test-${randomUUID()}`,
      taskQueue: system.config.TEMPORAL_TASK_QUEUE,
      args: [{ apiChangesRetentionDays: 90, batchSize: 2 }],
    });
    expect(again).toEqual(Object.fromEntries(PURGE_KINDS.map((k) => [k, 0])));
  });
});

describe('refused API tokens', () => {
  it('are counted per address until a 429 problem with Retry-After; a valid token is never held back', async () => {
    const { token } = await makeToken(db, admin, { scope: 'read', spaces: 'all' });
    const valid = apiClient(system.url, token);
    expect((await valid('GET', '/api/v1/changes?limit=1')).status).toBe(200);

    const limit = 30;
    for (let i = 0; i < limit; i++) {
      const res = await apiClient(system.url, `gch_wrong${randomBytes(16).toString('base64url')}`)(
        'GET',
        '/api/v1/changes',
      );
      expect(res.status).toBe(401);
    }
    // The counter is in PostgreSQL (shared by every server process), not in this process.
    const stored = await db
      .selectFrom('rate_limits')
      .select('points')
      .where('key', '=', `${system.config.TEMPORAL_TASK_QUEUE}:apiTokenFailure:ip:127.0.0.1`)
      .executeTakeFirstOrThrow();
    expect(Number(stored.points)).toBe(limit);

    const refused = await apiClient(system.url, 'gch_stillwrong')('GET', '/api/v1/changes');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(15 * 60);
    expect(refused.json()).toMatchObject({
      type: 'https://guichet.example/problems/too-many-requests',
      status: 429,
      title: 'Trop de requêtes.',
    });
    expect(refused.json<{ detail: string }>().detail).toContain(`${wait} s`);

    // Only refusals count: the valid token from the same address still answers.
    expect((await valid('GET', '/api/v1/changes?limit=1')).status).toBe(200);
    // A request without a token guesses nothing: a plain 401.
    expect((await apiClient(system.url, null)('GET', '/api/v1/changes')).status).toBe(401);
  });

  it('are counted per token prefix across addresses', async () => {
    const { token } = await makeToken(db, admin, { scope: 'read', spaces: 'all' });
    const prefix = token.slice(0, 8);
    const address = () => `10.77.${randomBytes(1)[0]}.${Math.max(1, randomBytes(1)[0]!)}`;
    const attempt = (bearer: string, remoteAddress: string) =>
      system.app!.inject({
        method: 'GET',
        url: '/api/v1/changes',
        remoteAddress,
        headers: { authorization: `Bearer ${bearer}` },
      });
    // Wrong tokens sharing the valid token's visible prefix, each from another address.
    for (let i = 0; i < 30; i++) {
      const res = await attempt(`${prefix}${randomBytes(16).toString('base64url')}`, address());
      expect(res.statusCode).toBe(401);
    }
    const refused = await attempt(`${prefix}${randomBytes(16).toString('base64url')}`, address());
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // Another prefix from a new address is still only a 401; the valid token with that prefix
    // is not locked out by whoever hammers it.
    expect((await attempt(`gch_zzzz${randomBytes(16).toString('base64url')}`, address())).statusCode).toBe(401);
    expect((await attempt(token, address())).statusCode).toBe(200);
  });
});
