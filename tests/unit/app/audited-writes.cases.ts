// Staff writes and their audit entries against an in-memory PostgreSQL: the write and its audit row
// land together, and when the audit entry cannot be written (here: an actor that is no account)
// the write is not kept either.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { addClientContact, changeContactState, saveObservation } from '../../../app/client-records.js';
import { saveAppSettings } from '../../../app/settings.js';
import { saveEmailTemplate } from '../../../app/templates.js';
import type { StaffActor } from '../../../app/actor.js';
import type { Db } from '../../../db/connect.js';
import type { Account } from '../../../db/database.js';
import { TemplateValidationError } from '../../../db/templates.js';
import { createClient, createSpace, createStaff } from '../../helpers/fixtures.js';

/** Registers these cases; `database` gives the migrated in-memory database (use-cases.test.ts). */
export function auditedWriteCases(database: () => Db): void {
  let db: Db;
  let client: Account;
  let actor: StaffActor;
  const IP = '192.0.2.44';

  beforeAll(async () => {
    db = database();
    client = (await createClient(db, { space: await createSpace(db), password: null })).account;
    actor = { id: (await createStaff(db)).account.id, ip: IP };
  });

  const auditOf = (subjectId: string) =>
    db
      .selectFrom('audit_log')
      .select(['actor_account_id', 'actor_kind', 'action', 'subject_type', 'ip', 'details'])
      .where('subject_id', '=', subjectId)
      .orderBy('id')
      .execute();

  const contactsOf = (clientId: string) =>
    db.selectFrom('client_contacts').select(['kind', 'value']).where('client_account_id', '=', clientId).execute();

  describe('addClientContact', () => {
    it('adds the contact and its audit entry', async () => {
      const id = await addClientContact(db, actor, client.id, { kind: 'phone', value: '06 12 34 56 78' });
      expect(await contactsOf(client.id)).toEqual([{ kind: 'phone', value: '06 12 34 56 78' }]);
      expect(await auditOf(id)).toEqual([
        {
          actor_account_id: actor.id,
          actor_kind: 'staff',
          action: 'contact.add',
          subject_type: 'client_contact',
          ip: IP,
          details: {},
        },
      ]);
    });

    it('keeps no contact when its audit entry cannot be written', async () => {
      const other = (await createClient(db, { password: null })).account;
      const stranger = { id: randomUUID(), ip: IP };
      await expect(
        addClientContact(db, stranger, other.id, { kind: 'email', value: 'a@example.test' }),
      ).rejects.toThrow();
      expect(await contactsOf(other.id)).toEqual([]);
    });
  });

  describe('saveObservation', () => {
    it('replaces the observation, audited without its text', async () => {
      await saveObservation(db, actor, client.id, 'Préfère le matin.');
      const row = await db.selectFrom('accounts').select('observation').where('id', '=', client.id).executeTakeFirst();
      expect(row?.observation).toBe('Préfère le matin.');
      expect((await auditOf(client.id)).map((r) => [r.action, r.subject_type, r.ip, r.details])).toEqual([
        ['client.observation', 'account', IP, {}],
      ]);
    });

    it('keeps the observation unchanged when its audit entry cannot be written', async () => {
      await expect(saveObservation(db, { id: randomUUID(), ip: IP }, client.id, 'Autre chose.')).rejects.toThrow();
      const row = await db.selectFrom('accounts').select('observation').where('id', '=', client.id).executeTakeFirst();
      expect(row?.observation).toBe('Préfère le matin.');
    });
  });

  describe('saveEmailTemplate', () => {
    it('saves nothing and audits nothing when the text is not valid', async () => {
      const template = { key: 'acknowledgement-message', locale: 'en' } as const;
      await expect(
        saveEmailTemplate(db, actor, template, { subject: '', body: 'Hello {{nope}}' }, 'en'),
      ).rejects.toBeInstanceOf(TemplateValidationError);
      const saved = await db
        .selectFrom('email_templates')
        .select('key')
        .where('key', '=', template.key)
        .where('locale', '=', template.locale)
        .execute();
      expect(saved).toEqual([]);
      expect(await auditOf('acknowledgement-message:en')).toEqual([]);
    });
  });

  describe('changeContactState', () => {
    const stateOf = async (id: string) =>
      (await db.selectFrom('client_contacts').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state;

    it('changes the state inside the same transaction as its audit entry', async () => {
      const owner = (await createClient(db, { password: null })).account;
      const id = await addClientContact(db, actor, owner.id, { kind: 'email', value: 'b@example.test' });
      await changeContactState(db, actor, owner.id, { id, state: 'pending' }, 'validated');
      expect(await stateOf(id)).toBe('validated');
      expect((await auditOf(id)).map((r) => [r.action, r.details])).toEqual([
        ['contact.add', {}],
        ['contact.state', { from: 'pending', to: 'validated' }],
      ]);
      await expect(
        changeContactState(db, { id: randomUUID(), ip: IP }, owner.id, { id, state: 'validated' }, 'invalid'),
      ).rejects.toThrow();
      expect(await stateOf(id)).toBe('validated');
    });
  });

  describe('saveAppSettings', () => {
    const settingsRow = () =>
      db.selectFrom('settings').select(['primary_color', 'rows_per_page']).where('id', '=', 1).executeTakeFirst();

    it('saves the settings with their audit entry, and neither when the entry cannot be written', async () => {
      const before = await settingsRow();
      await expect(
        saveAppSettings(
          db,
          { id: randomUUID(), ip: IP },
          { primaryColor: '#123456', rowsPerPage: 25, locales: ['fr'] },
        ),
      ).rejects.toThrow();
      expect(await settingsRow()).toEqual(before);
      await saveAppSettings(db, actor, { primaryColor: '#123456', rowsPerPage: 25, locales: ['fr', 'en'] });
      expect(await settingsRow()).toEqual({ primary_color: '#123456', rows_per_page: 25 });
      const entries = (await auditOf('1')).filter((r) => r.action === 'settings.save');
      expect(entries.map((r) => [r.actor_account_id, r.details])).toEqual([
        [actor.id, { primaryColor: '#123456', rowsPerPage: 25, locales: ['fr', 'en'], logo: 'kept' }],
      ]);
    });
  });
}
