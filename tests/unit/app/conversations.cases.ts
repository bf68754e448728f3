// Conversation use cases against an in-memory PostgreSQL and an in-memory workflow gateway: what
// is written, what the workflow is told, and that nothing is kept when Temporal refuses.
import { beforeAll, describe, expect, it } from 'vitest';
import { addClientMessage, addStaffAnswer, startConversation, type Actor } from '../../../app/conversations.js';
import { WorkflowUnavailableError } from '../../../app/workflow-gateway.js';
import type { Db } from '../../../db/connect.js';
import type { Space } from '../../../db/database.js';
import { createClient, createSpace, createStaff } from '../../helpers/fixtures.js';
import { memoryWorkflowGateway } from '../helpers/workflow-gateway.js';

/** Registers these cases; `database` gives the migrated in-memory database (use-cases.test.ts). */
export function conversationCases(database: () => Db): void {
  let db: Db;
  let space: Space;
  let client: Actor;

  beforeAll(async () => {
    db = database();
    space = await createSpace(db);
    client = { account: (await createClient(db, { space, password: null })).account, ip: '203.0.113.7' };
  });

  const newConversation = (subject: string) => ({ spaceId: space.id, subject, body: 'Bonjour,\nune fuite.', cc: '' });

  describe('startConversation', () => {
    it('writes the conversation, its first message and the audit entry, then tells the workflow', async () => {
      const workflows = memoryWorkflowGateway();
      const ids = await startConversation(db, workflows, client, {
        ...newConversation('Fuite d’eau'),
        cc: 'voisin@example.test',
        attachments: [
          { fileName: 'photo.png', contentType: 'image/png', sizeBytes: 68, sha256: 'a'.repeat(64), storageKey: 'k1' },
        ],
      });
      const conversation = await db
        .selectFrom('conversations')
        .selectAll()
        .where('id', '=', ids.conversationId)
        .executeTakeFirstOrThrow();
      expect(conversation).toMatchObject({
        space_id: space.id,
        client_account_id: client.account.id,
        subject: 'Fuite d’eau',
        cc: 'voisin@example.test',
        status: 'open',
      });
      const messages = await db
        .selectFrom('messages')
        .selectAll()
        .where('conversation_id', '=', ids.conversationId)
        .execute();
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({
        id: ids.messageId,
        author_kind: 'client',
        author_account_id: client.account.id,
        author_display_name: client.account.full_name,
        body: 'Bonjour,\nune fuite.',
        redmine_delivery: 'pending',
      });
      const files = await db.selectFrom('attachments').selectAll().where('message_id', '=', ids.messageId).execute();
      expect(files.map((f) => [f.file_name, f.storage_key])).toEqual([['photo.png', 'k1']]);
      const audit = await db.selectFrom('audit_log').selectAll().where('subject_id', '=', ids.conversationId).execute();
      expect(audit.map((a) => [a.action, a.actor_account_id, a.ip])).toEqual([
        ['conversation.create', client.account.id, '203.0.113.7'],
      ]);
      expect(workflows.calls).toEqual([{ method: 'clientMessage', args: [ids.conversationId, ids.messageId] }]);
    });

    it('keeps nothing when the workflow cannot be started', async () => {
      const workflows = memoryWorkflowGateway();
      workflows.unavailable = true;
      const before = await db.selectFrom('conversations').select('id').execute();
      await expect(startConversation(db, workflows, client, newConversation('Refusé'))).rejects.toBeInstanceOf(
        WorkflowUnavailableError,
      );
      expect(workflows.callsOf('clientMessage')).toHaveLength(1);
      expect(await db.selectFrom('conversations').select('id').execute()).toEqual(before);
      expect(await db.selectFrom('messages').select('id').where('body', '=', 'Refusé').execute()).toEqual([]);
      expect(await db.selectFrom('conversations').select('id').where('subject', '=', 'Refusé').execute()).toEqual([]);
    });
  });

  describe('messages that follow', () => {
    it('a client message reopens an answered conversation and goes to the workflow', async () => {
      const workflows = memoryWorkflowGateway();
      const { conversationId } = await startConversation(db, workflows, client, newConversation('Chauffage'));
      const staff: Actor = {
        account: (await createStaff(db, { spaces: [space] })).account,
        ip: null,
        displayName: 'Sam · Gestion',
      };
      const answer = await addStaffAnswer(db, workflows, staff, conversationId, 'Nous passons demain.');
      const status = () =>
        db.selectFrom('conversations').select('status').where('id', '=', conversationId).executeTakeFirstOrThrow();
      expect((await status()).status).toBe('answered');
      const shown = await db
        .selectFrom('messages')
        .select('author_display_name')
        .where('id', '=', answer.messageId)
        .executeTakeFirstOrThrow();
      expect(shown.author_display_name).toBe('Sam · Gestion');

      const reply = await addClientMessage(db, workflows, client, conversationId, 'Merci, à demain.');
      expect((await status()).status).toBe('open');
      expect(workflows.calls.map((c) => c.method)).toEqual(['clientMessage', 'staffAnswer', 'clientMessage']);
      expect(workflows.callsOf('clientMessage')[1]).toEqual([conversationId, reply.messageId]);
      expect(workflows.callsOf('staffAnswer')[0]).toEqual([conversationId, answer.messageId]);
    });

    it('a client message refused by the workflow is not kept, nor the reopening', async () => {
      const workflows = memoryWorkflowGateway();
      const { conversationId } = await startConversation(db, workflows, client, newConversation('Serrure'));
      await db.updateTable('conversations').set({ status: 'resolved' }).where('id', '=', conversationId).execute();
      workflows.unavailable = true;
      await expect(addClientMessage(db, workflows, client, conversationId, 'Toujours cassée.')).rejects.toThrow(
        WorkflowUnavailableError,
      );
      const conversation = await db
        .selectFrom('conversations')
        .select('status')
        .where('id', '=', conversationId)
        .executeTakeFirstOrThrow();
      expect(conversation.status).toBe('resolved');
      const bodies = await db
        .selectFrom('messages')
        .select('body')
        .where('conversation_id', '=', conversationId)
        .execute();
      expect(bodies.map((m) => m.body)).toEqual(['Bonjour,\nune fuite.']);
    });
  });
}
