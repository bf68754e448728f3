// Contacts of a client record against the real PostgreSQL: states, one default per kind
// (enforced by the database too), the previous default kept as validated.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../db/connect.js';
import { addContact, defaultContact, listContacts, setContactState } from '../../db/clients.js';
import { createDevelopmentSmsProvider } from '../../connectors/sms/index.js';
import { recordDevSms } from '../../db/dev-outbox.js';
import { createClient } from '../helpers/fixtures.js';

let database: OpenDatabase;

beforeAll(async () => {
  database = await openDatabase({ url: inject('databaseUrl') });
});
afterAll(async () => {
  await database?.close();
});

describe('client contacts', () => {
  it('starts pending, moves through every state, and keeps one default per kind', async () => {
    const db = database.db;
    const { account } = await createClient(db);
    const first = await addContact(db, account.id, 'phone', '06 12 34 56 78');
    const second = await addContact(db, account.id, 'phone', '01 23 45 67 89');
    const mail = await addContact(db, account.id, 'email', 'claire@example.test');
    expect((await listContacts(db, account.id)).map((c) => c.state)).toEqual(['pending', 'pending', 'pending']);

    await setContactState(db, account.id, first, 'validated');
    await setContactState(db, account.id, first, 'default');
    await setContactState(db, account.id, mail, 'default');
    expect((await defaultContact(db, account.id, 'phone'))?.id).toBe(first);

    // The new default takes over; the old one stays validated; the e-mail default is untouched.
    await setContactState(db, account.id, second, 'default');
    const contacts = await listContacts(db, account.id);
    expect(contacts.find((c) => c.id === second)?.state).toBe('default');
    expect(contacts.find((c) => c.id === first)?.state).toBe('validated');
    expect(contacts.find((c) => c.id === mail)?.state).toBe('default');
    // Defaults listed first.
    expect(contacts.slice(0, 2).every((c) => c.state === 'default')).toBe(true);

    await setContactState(db, account.id, second, 'invalid');
    expect(await defaultContact(db, account.id, 'phone')).toBeUndefined();
    expect((await listContacts(db, account.id)).at(-1)?.state).toBe('invalid');

    // Another client's contact cannot be changed through this client.
    const { account: other } = await createClient(db);
    expect(await setContactState(db, other.id, first, 'invalid')).toBeUndefined();
  });

  it('refuses a second default of a kind at the database itself', async () => {
    const db = database.db;
    const { account } = await createClient(db);
    await db
      .insertInto('client_contacts')
      .values({ client_account_id: account.id, kind: 'postal', value: '1 rue A', state: 'default' })
      .execute();
    await expect(
      db
        .insertInto('client_contacts')
        .values({ client_account_id: account.id, kind: 'postal', value: '2 rue B', state: 'default' })
        .execute(),
    ).rejects.toThrow(/client_contacts_one_default/);
    // Another kind, or another client, may have its own default.
    await db
      .insertInto('client_contacts')
      .values({ client_account_id: account.id, kind: 'email', value: 'a@b.test', state: 'default' })
      .execute();
    const { account: other } = await createClient(db);
    await db
      .insertInto('client_contacts')
      .values({ client_account_id: other.id, kind: 'postal', value: '3 rue C', state: 'default' })
      .execute();
    expect((await listContacts(db, account.id)).filter((c) => c.state === 'default')).toHaveLength(2);
  });

  it('writes SMS of the development provider to its outbox, sending nothing', async () => {
    const provider = createDevelopmentSmsProvider((message) => recordDevSms(database.db, message));
    expect(provider.delivers).toBe(false);
    const body = `Rappel ${Date.now()}`;
    const { id } = await provider.send({ to: '06 00 00 00 01', body });
    expect(id).toMatch(/^dev:/);
    const row = await database.db
      .selectFrom('dev_sms_outbox')
      .selectAll()
      .where('body', '=', body)
      .executeTakeFirstOrThrow();
    expect(row.recipient).toBe('06 00 00 00 01');
  });
});
