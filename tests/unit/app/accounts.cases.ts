// Account use cases against an in-memory PostgreSQL and an in-memory workflow gateway: signing in
// (current or new password, audited) and asking for a password (the e-mail goes through the
// outbox and its workflow; an unknown address gets nothing, and says nothing).
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticate, requestPassword } from '../../../app/accounts.js';
import type { Db } from '../../../db/connect.js';
import type { Account } from '../../../db/database.js';
import { verifyPassword } from '../../../domain/passwords.js';
import { createClient, createSpace, uniqueEmail } from '../../helpers/fixtures.js';
import { quickHash } from '../helpers/passwords.js';
import { memoryWorkflowGateway } from '../helpers/workflow-gateway.js';

/** Registers these cases; `database` gives the migrated in-memory database (use-cases.test.ts). */
export function accountCases(database: () => Db): void {
  let db: Db;
  let client: Account;
  const PASSWORD = 'abcd-efgh-jkmn';
  const IP = '198.51.100.4';

  /** A client whose password is stored with a low scrypt cost (see quickHash). */
  async function clientWithPassword(
    password: string,
    options: Parameters<typeof createClient>[1] = {},
  ): Promise<Account> {
    const { account } = await createClient(db, { ...options, password: null });
    return db
      .updateTable('accounts')
      .set({ password_hash: quickHash(password) })
      .where('id', '=', account.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  beforeAll(async () => {
    db = database();
    client = await clientWithPassword(PASSWORD, { space: await createSpace(db) });
  });

  const auditOf = (accountId: string) =>
    db
      .selectFrom('audit_log')
      .select(['action', 'ip'])
      .where('subject_id', '=', accountId)
      .orderBy('id')
      .execute()
      .then((rows) => rows.map((r) => `${r.action} ${r.ip}`));

  describe('authenticate', () => {
    it('signs in with the right password, audited, and records the login', async () => {
      const account = await authenticate(db, 'client', client.email, PASSWORD, IP);
      expect(account?.id).toBe(client.id);
      const row = await db
        .selectFrom('accounts')
        .select('last_login_at')
        .where('id', '=', client.id)
        .executeTakeFirstOrThrow();
      expect(row.last_login_at).toBeInstanceOf(Date);
      expect(await auditOf(client.id)).toEqual([`login.success ${IP}`]);
    });

    it('refuses a wrong password, audited, and another kind of account', async () => {
      expect(await authenticate(db, 'client', client.email, 'abcd-efgh-jkmm', IP)).toBeUndefined();
      expect(await auditOf(client.id)).toEqual([`login.success ${IP}`, `login.failure ${IP}`]);
      expect(await authenticate(db, 'staff', client.email, PASSWORD, IP)).toBeUndefined();
    });

    it('refuses unknown and disabled accounts without writing anything', async () => {
      const entries = await db.selectFrom('audit_log').select('id').execute();
      expect(await authenticate(db, 'client', uniqueEmail('nobody'), PASSWORD, IP)).toBeUndefined();
      const disabled = await clientWithPassword(PASSWORD);
      await db.updateTable('accounts').set({ disabled_at: new Date() }).where('id', '=', disabled.id).execute();
      expect(await authenticate(db, 'client', disabled.email, PASSWORD, IP)).toBeUndefined();
      expect(await db.selectFrom('audit_log').select('id').execute()).toHaveLength(entries.length);
    });

    it('takes a new password not yet used, which then replaces the old one', async () => {
      const account = await clientWithPassword('old0-pass-word');
      await db
        .updateTable('accounts')
        .set({
          pending_password_hash: quickHash('new0-pass-word'),
          pending_password_expires_at: new Date(Date.now() + 86_400_000),
        })
        .where('id', '=', account.id)
        .execute();
      expect((await authenticate(db, 'client', account.email, 'new0-pass-word', IP))?.id).toBe(account.id);
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', account.id).executeTakeFirstOrThrow();
      expect(row.pending_password_hash).toBeNull();
      expect(await verifyPassword('new0-pass-word', row.password_hash)).toBe(true);
    });
  });

  describe('requestPassword', () => {
    it('gives a client without a password one at once, through the outbox and its workflow', async () => {
      const { account } = await createClient(db, { password: null });
      const workflows = memoryWorkflowGateway();
      await requestPassword(db, workflows, {
        email: account.email,
        ip: IP,
        loginUrl: 'https://guichet.example/connexion',
      });
      const notifications = await db
        .selectFrom('notifications')
        .selectAll()
        .where('recipient', '=', account.email)
        .execute();
      expect(notifications).toHaveLength(1);
      const mail = notifications[0]!;
      expect(mail.sensitive).toBe(true);
      expect(mail.body_text).toContain('https://guichet.example/connexion');
      const password = /\b[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}\b/.exec(mail.body_text)?.[0];
      expect(password).toBeDefined();
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', account.id).executeTakeFirstOrThrow();
      expect(await verifyPassword(password!, row.password_hash)).toBe(true);
      expect(row.pending_password_hash).toBeNull();
      expect(workflows.calls).toEqual([{ method: 'deliverNotification', args: [mail.idempotency_key, mail.id] }]);
      expect(mail.idempotency_key).toMatch(new RegExp(`^password:${account.id}:`));
      expect(await auditOf(account.id)).toEqual([`password.request ${IP}`]);
    });

    it('keeps the current password of a client who has one until the new one is used', async () => {
      const workflows = memoryWorkflowGateway();
      await requestPassword(db, workflows, { email: client.email, ip: IP, loginUrl: 'https://guichet.example/' });
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', client.id).executeTakeFirstOrThrow();
      expect(await verifyPassword(PASSWORD, row.password_hash)).toBe(true);
      expect(row.pending_password_hash).not.toBeNull();
      expect(row.pending_password_expires_at!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
      expect(workflows.callsOf('deliverNotification')).toHaveLength(1);
    });

    it('sends nothing to an unknown address, and only audits the attempt', async () => {
      const workflows = memoryWorkflowGateway();
      const email = uniqueEmail('unknown');
      await requestPassword(db, workflows, { email, ip: IP, loginUrl: 'https://guichet.example/' });
      expect(workflows.calls).toEqual([]);
      expect(await db.selectFrom('notifications').select('id').where('recipient', '=', email).execute()).toEqual([]);
      const last = await db
        .selectFrom('audit_log')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirstOrThrow();
      expect(last).toMatchObject({ action: 'password.request.unknown', actor_account_id: null, ip: IP });
    });

    it('keeps nothing when the e-mail’s workflow cannot be started', async () => {
      const { account } = await createClient(db, { password: null });
      const workflows = memoryWorkflowGateway();
      workflows.unavailable = true;
      await expect(
        requestPassword(db, workflows, { email: account.email, ip: IP, loginUrl: 'https://guichet.example/' }),
      ).rejects.toThrow('Temporal is unavailable');
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', account.id).executeTakeFirstOrThrow();
      expect(row.password_hash).toBeNull();
      expect(
        await db.selectFrom('notifications').select('id').where('recipient', '=', account.email).execute(),
      ).toEqual([]);
    });
  });
}
