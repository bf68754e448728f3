// The embedded database runs the same migrations and queries as PostgreSQL.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../db/connect.js';
import { createConversation, insertMessage, listClientConversations } from '../../db/conversations.js';
import { createClient, createSpace } from '../helpers/fixtures.js';

describe('embedded PGlite database', () => {
  it('migrates, queries, keeps data across restarts and serialises transactions', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'guichet-pglite-'));
    try {
      const first = await openDatabase({ embeddedDir: path.join(dir, 'pg') });
      expect(first.kind).toBe('pglite');
      const applied = await migrateToLatest(first.db);
      expect(applied.results?.every((r) => r.status === 'Success')).toBe(true);
      const space = await createSpace(first.db);
      const { account } = await createClient(first.db, { space });
      const id = randomUUID();
      await createConversation(first.db, {
        id,
        spaceId: space.id,
        clientAccountId: account.id,
        subject: 'Quittance',
        cc: '',
      });
      // Concurrent transactions on the single embedded connection queue up instead of interleaving.
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          first.db.transaction().execute(async (tx) => {
            await insertMessage(tx, {
              id: randomUUID(),
              conversationId: id,
              authorKind: 'client',
              authorAccountId: account.id,
              authorDisplayName: 'C',
              body: `m${i}`,
            });
          }),
        ),
      );
      // A failed transaction leaves nothing behind.
      await expect(
        first.db.transaction().execute(async (tx) => {
          await insertMessage(tx, {
            id: randomUUID(),
            conversationId: id,
            authorKind: 'client',
            authorAccountId: account.id,
            authorDisplayName: 'C',
            body: 'rolled back',
          });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      await first.close();

      const second = await openDatabase({ embeddedDir: path.join(dir, 'pg') });
      expect((await migrateToLatest(second.db)).results).toEqual([]);
      const list = await listClientConversations(second.db, account.id, { limit: 10, offset: 0 });
      expect(list.total).toBe(1);
      expect(list.items[0]?.subject).toBe('Quittance');
      const bodies = await second.db
        .selectFrom('messages')
        .select('body')
        .where('conversation_id', '=', id)
        .orderBy('body')
        .execute();
      expect(bodies.map((b) => b.body)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
