// Webhook events written by the use cases: in the transaction of the change (nothing kept when
// Temporal refuses), only for endpoints that want that event in that space, each endpoint woken,
// and the payload carrying ids, never the client's text.
import { beforeAll, describe, expect, it } from 'vitest';
import { addClientMessage, startConversation, type Actor } from '../../../app/conversations.js';
import { answerSatisfaction } from '../../../app/satisfaction.js';
import type { Db } from '../../../db/connect.js';
import type { Space } from '../../../db/database.js';
import { insertEndpoint } from '../../../db/webhooks.js';
import { createClient, createSpace, createStaff } from '../../helpers/fixtures.js';
import { memoryWorkflowGateway } from '../helpers/workflow-gateway.js';

export function webhookCases(database: () => Db): void {
  let db: Db;
  let space: Space;
  let client: Actor;
  let wanted: string;
  let elsewhere: string;

  const eventsOf = (endpointId: string) =>
    db
      .selectFrom('webhook_deliveries')
      .innerJoin('webhook_events', 'webhook_events.id', 'webhook_deliveries.event_id')
      .select(['webhook_events.type', 'webhook_events.payload', 'webhook_deliveries.status'])
      .where('webhook_deliveries.endpoint_id', '=', endpointId)
      .orderBy('webhook_deliveries.seq')
      .execute();

  beforeAll(async () => {
    db = database();
    space = await createSpace(db);
    const other = await createSpace(db);
    client = { account: (await createClient(db, { space, password: null })).account, ip: '203.0.113.9' };
    const admin = (await createStaff(db, { admin: true })).account;
    const endpoint = (spaceId: string, events: string[]) =>
      insertEndpoint(db, {
        url: 'https://erp.example.com/hooks',
        description: '',
        events,
        spaceIds: [spaceId],
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        createdBy: admin.id,
      });
    wanted = (await endpoint(space.id, ['message.received', 'satisfaction.answered', 'conversation.resolved'])).id;
    elsewhere = (await endpoint(other.id, ['message.received'])).id;
  });

  describe('webhook events', () => {
    it('are written with the change, for the endpoints that want them, and wake each one', async () => {
      const workflows = memoryWorkflowGateway();
      const { conversationId, messageId } = await startConversation(db, workflows, client, {
        spaceId: space.id,
        subject: 'Fuite',
        body: 'Mon code d’accès est 1234.',
        cc: '',
      });
      await answerSatisfaction(
        db,
        workflows,
        { accountId: client.account.id, ip: '203.0.113.9' },
        conversationId,
        true,
      );
      const events = await eventsOf(wanted);
      expect(events.map((e) => e.type)).toEqual(['message.received', 'satisfaction.answered', 'conversation.resolved']);
      expect(events[0]!.payload).toEqual({ conversationId, messageId, spaceId: space.id, author: 'client' });
      expect(JSON.stringify(events)).not.toContain('1234');
      expect(events.every((e) => e.status === 'pending')).toBe(true);
      expect(await eventsOf(elsewhere)).toEqual([]);
      expect(workflows.callsOf('webhookEndpoint')).toEqual([[wanted], [wanted], [wanted]]);
    });

    it('are not kept when Temporal refuses the change', async () => {
      const workflows = memoryWorkflowGateway();
      const { conversationId } = await startConversation(db, workflows, client, {
        spaceId: space.id,
        subject: 'Autre',
        body: 'Bonjour',
        cc: '',
      });
      const before = (await eventsOf(wanted)).length;
      workflows.unavailable = true;
      await expect(addClientMessage(db, workflows, client, conversationId, 'Encore')).rejects.toThrow();
      expect(await eventsOf(wanted)).toHaveLength(before);
    });
  });
}
