// Back-office answers on the issue: in the staff member's own name when the key is an
// administrator's and their Redmine login is known, else signed by the integration user.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createRedmineActivities } from '../../activities/redmine.js';
import { createRedmineClient, type RedmineClient } from '../../connectors/redmine/index.js';
import { resolveMirrorContext, type RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { createFileStorage } from '../../app/file-storage.js';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { createConversation, insertMessage } from '../../db/conversations.js';
import { createClient, createSpace, createStaff } from '../helpers/fixtures.js';
import { RedmineAdmin, redmineTestEnv, unique } from '../helpers/redmine.js';

let database: OpenDatabase;
let admin: RedmineAdmin;
let redmine: RedmineMirrorContext;
let reader: RedmineClient;

beforeAll(async () => {
  const env = redmineTestEnv();
  database = await openDatabase({ url: inject('databaseUrl') });
  admin = new RedmineAdmin(env);
  reader = createRedmineClient({ baseUrl: env.url, apiKey: env.adminKey });
});
afterAll(async () => {
  await admin?.cleanUp();
  await database?.close();
});

async function answer(staffLogin: string | null) {
  const db = database.db;
  const space = await createSpace(db);
  redmine = await resolveMirrorContext({
    url: redmineTestEnv().url,
    apiKey: redmineTestEnv().adminKey,
    projects: new Map([[space.slug, 'guichet-demo']]),
    emailField: 'E-mail client',
    feedbackStatus: 'Feedback',
    resolvedStatus: 'Resolved',
    staffNames: 'full',
    teamName: 'l’équipe',
  });
  expect(redmine.adminKey).toBe(true);
  const { account: client } = await createClient(db, { space });
  const { account: agent } = await createStaff(db, { name: 'Julien Bernard', spaces: [space] });
  if (staffLogin)
    await db.updateTable('accounts').set({ redmine_login: staffLogin }).where('id', '=', agent.id).execute();
  const conversationId = randomUUID();
  const messageId = randomUUID();
  await createConversation(db, {
    id: conversationId,
    spaceId: space.id,
    clientAccountId: client.id,
    subject: unique('Clés'),
    cc: '',
  });
  await insertMessage(db, {
    id: messageId,
    conversationId,
    authorKind: 'staff',
    authorAccountId: agent.id,
    authorDisplayName: 'Julien Bernard',
    body: 'Un double est à l’agence.',
  });
  const activities = createRedmineActivities({
    db,
    redmine,
    signals: { staffAnswer: () => Promise.resolve(), askSatisfaction: () => Promise.resolve() },
    publicUrl: 'http://guichet.test',
    storage: createFileStorage(path.join(os.tmpdir(), 'guichet-staff-answers-files')),
  });
  const env = new MockActivityEnvironment();
  await env.run((ref: { conversationId: string; messageId: string }) => activities.mirrorStaffAnswer(ref), {
    conversationId,
    messageId,
  });
  // Twice: the note marker keeps it to one note.
  await env.run((ref: { conversationId: string; messageId: string }) => activities.mirrorStaffAnswer(ref), {
    conversationId,
    messageId,
  });
  const conversation = await db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', conversationId)
    .executeTakeFirstOrThrow();
  admin.trackIssue(conversation.redmine_issue_id!);
  const issue = await reader.getIssue(conversation.redmine_issue_id!, { journals: true });
  return issue!.journals!.filter((j) => j.notes.includes('Un double est à l’agence.'));
}

describe('back-office answers on the issue', () => {
  it('are posted in the staff member’s name through user switching', async () => {
    const projectId = (await reader.listProjects()).find((p) => p.identifier === 'guichet-demo')!.id;
    const user = await admin.createUser({ projectId, roles: ['Guichet API'] });
    const notes = await answer(user.login);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.userId).toBe(user.id);
    expect(notes[0]!.notes).not.toContain('— Julien Bernard');
  });

  it('fall back to the integration user, signed, when the login is unknown to Redmine', async () => {
    const notes = await answer(unique('nobody'));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.userName).toBe('Redmine Admin');
    expect(notes[0]!.notes).toContain('— Julien Bernard');
  });
});
