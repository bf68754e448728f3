// A thread page reads its messages and their files as one snapshot, against the real PostgreSQL.
// A note mirrored from Redmine is written with its files in one transaction; a page that read
// messages and files apart showed such a note without its file (seen once in a full CI run).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { createConversation, threadWithAttachments } from '../../db/conversations.js';
import { insertMirroredJournal } from '../../db/redmine.js';
import { createClient, createSpace } from '../helpers/fixtures.js';

let database: OpenDatabase;

beforeAll(async () => {
  database = await openDatabase({ url: inject('databaseUrl') });
});
afterAll(async () => {
  await database?.close();
});

describe('a thread and its files', () => {
  it('never shows a mirrored note without the files written with it, while notes keep arriving', async () => {
    const db = database.db;
    const space = await createSpace(db);
    const { account } = await createClient(db, { space });
    const conversation = await createConversation(db, {
      id: randomUUID(),
      spaceId: space.id,
      clientAccountId: account.id,
      subject: 'Quittance',
      cc: '',
    });
    const notes = 150;
    const base = Math.floor(Math.random() * 1e9);
    let written = 0;
    const writer = (async () => {
      for (let i = 0; i < notes; i++) {
        await insertMirroredJournal(
          db,
          {
            id: randomUUID(),
            conversationId: conversation.id,
            authorKind: 'staff',
            authorAccountId: null,
            authorDisplayName: 'Équipe',
            body: `Note ${i}`,
            idempotencyKey: `snapshot-${base}-${i}`,
            redmineJournalId: base + i,
            createdAt: new Date(),
          },
          [{ id: base + i, filename: `piece-${i}.pdf`, contentType: 'application/pdf', filesize: 10 }],
        );
        written++;
      }
    })();
    let reads = 0;
    let lastSeen = 0;
    while (written < notes) {
      const { messages, attachments } = await threadWithAttachments(db, conversation.id);
      reads++;
      lastSeen = messages.length;
      for (const message of messages) {
        expect(
          attachments.get(message.id)?.map((a) => a.fileName),
          message.body,
        ).toEqual([message.body.replace('Note ', 'piece-') + '.pdf']);
      }
    }
    await writer;
    const final = await threadWithAttachments(db, conversation.id);
    expect(final.messages).toHaveLength(notes);
    expect([...final.attachments.values()].flat()).toHaveLength(notes);
    // The reads ran while the notes were written, not only before or after.
    expect(reads).toBeGreaterThan(10);
    expect(lastSeen).toBeLessThanOrEqual(notes);
  });
});
