// Reading states of client messages in the back-office: to read, read, cancelled; answering
// reads what came before.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSystem } from '../../runtime/system.js';
import { createConversation, insertMessage, listMessages } from '../../db/conversations.js';
import { createClient, createSpace, createStaff, giveSpaces } from '../helpers/fixtures.js';
import type { Account } from '../../db/database.js';
import { Browser } from '../helpers/http.js';
import { startTestSystem } from '../helpers/system.js';

let system: RunningSystem & { url: string };
let office: Browser;
let officeAccount: Account;

beforeAll(async () => {
  system = await startTestSystem();
  const { account, password } = await createStaff(system.database.db);
  officeAccount = account;
  office = new Browser(system.app!);
  expect((await office.login(account.email, password, 'staff')).statusCode).toBe(303);
});
afterAll(async () => {
  await system?.stop();
});

async function conversationWithMessages() {
  const db = system.database.db;
  const space = await createSpace(db);
  await giveSpaces(db, officeAccount, [space]);
  const { account: client } = await createClient(db, { space });
  const id = randomUUID();
  await createConversation(db, {
    id,
    spaceId: space.id,
    clientAccountId: client.id,
    subject: 'Chauffage en panne',
    cc: '',
  });
  const first = randomUUID();
  const second = randomUUID();
  await insertMessage(db, {
    id: first,
    conversationId: id,
    authorKind: 'client',
    authorAccountId: client.id,
    authorDisplayName: 'Camille',
    body: 'Le chauffage ne marche plus.',
  });
  await insertMessage(db, {
    id: second,
    conversationId: id,
    authorKind: 'client',
    authorAccountId: client.id,
    authorDisplayName: 'Camille',
    body: 'Message envoyé deux fois.',
  });
  return { id, first, second };
}

const stateOf = async (conversationId: string, messageId: string) =>
  (await listMessages(system.database.db, conversationId)).find((m) => m.id === messageId)?.staff_state;

describe('message states for staff', () => {
  it('shows new client messages to read, and moves them to read, cancelled and back', async () => {
    const { id, first, second } = await conversationWithMessages();
    const url = `/back-office/conversations/${id}`;
    const page = await office.get(url);
    expect(page.body.match(/<span class="badge state-to_read">À lire<\/span>/g)).toHaveLength(2);

    expect((await office.post(`${url}/messages/${first}/etat`, { state: 'read' }, { formUrl: url })).statusCode).toBe(
      303,
    );
    expect(await stateOf(id, first)).toBe('read');
    expect(
      (await office.post(`${url}/messages/${second}/etat`, { state: 'cancelled' }, { formUrl: url })).statusCode,
    ).toBe(303);
    const after = await office.get(url);
    expect(after.body).toContain('<span class="badge state-read">Lu</span>');
    expect(after.body).toMatch(/class="message from-client\s+kind-message staff-cancelled"/);
    expect(after.body).toContain('Message annulé : gardé pour l’historique');
    expect(
      (await office.post(`${url}/messages/${second}/etat`, { state: 'to_read' }, { formUrl: url })).statusCode,
    ).toBe(303);
    expect(await stateOf(id, second)).toBe('to_read');

    // Refused: an unknown state, another conversation's message.
    expect(
      (await office.post(`${url}/messages/${first}/etat`, { state: 'archived' }, { formUrl: url })).statusCode,
    ).toBe(400);
    const other = await conversationWithMessages();
    expect(
      (await office.post(`${url}/messages/${other.first}/etat`, { state: 'read' }, { formUrl: url })).statusCode,
    ).toBe(404);
    expect(await stateOf(other.id, other.first)).toBe('to_read');
    // Nobody but staff changes it.
    const stranger = await new Browser(system.app!).post(
      `${url}/messages/${first}/etat`,
      { state: 'cancelled' },
      { formUrl: '/back-office/connexion' },
    );
    expect(stranger.statusCode).toBe(302);
    expect(stranger.headers.location).toBe('/back-office/connexion');
    expect(await stateOf(id, first)).toBe('read');
  });

  it('reads what came before an answer; cancelled messages stay cancelled', async () => {
    const { id, first, second } = await conversationWithMessages();
    const url = `/back-office/conversations/${id}`;
    await office.post(`${url}/messages/${second}/etat`, { state: 'cancelled' }, { formUrl: url });
    expect(
      (await office.post(`${url}/reponses`, { body: 'Un technicien passe demain.' }, { formUrl: url })).statusCode,
    ).toBe(303);
    expect(await stateOf(id, first)).toBe('read');
    expect(await stateOf(id, second)).toBe('cancelled');
  });
});
