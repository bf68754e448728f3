// Demo data for the embedded run: a space, a client and a staff member, with generated
// passwords kept (0600) under the data directory so that every start can print them.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/connect.js';
import { addClientToSpace, createAccount, findAccountByEmail } from '../db/accounts.js';
import { createCase, findTemplateBySlug } from '../db/documents.js';
import { generatePassword, hashPassword } from '../domain/passwords.js';

export interface DemoCredentials {
  client: { email: string; password: string };
  staff: { email: string; password: string };
}

export const DEMO_CLIENT_EMAIL = 'claire.martin@demo.guichet.test';
export const DEMO_STAFF_EMAIL = 'agent@demo.guichet.test';

/**
 * The demo accounts and cases, made once; their credentials are kept in this process's data
 * directory to be printed again. Undefined when the accounts exist but this process does not
 * know their passwords: another process on the same database made them (its DATA_DIR holds
 * them), or the file was lost. The demo client then sets a password like any client.
 */
export async function seedDemoData(db: Db, dataDir: string): Promise<DemoCredentials | undefined> {
  const file = path.join(dataDir, 'demo-credentials.json');
  const existing = await readFile(file, 'utf8').then(
    (s) => JSON.parse(s) as DemoCredentials,
    () => undefined,
  );
  if (existing && (await findAccountByEmail(db, 'client', existing.client.email))) {
    await seedDemoCases(db);
    // Demo data made before the administrator flag existed: the demo staff member edits templates.
    await db
      .updateTable('accounts')
      .set({ is_admin: true })
      .where('kind', '=', 'staff')
      .where('email', '=', existing.staff.email)
      .execute();
    return existing;
  }

  if (await findAccountByEmail(db, 'client', DEMO_CLIENT_EMAIL)) {
    await seedDemoCases(db);
    return undefined;
  }

  const credentials: DemoCredentials = {
    client: { email: DEMO_CLIENT_EMAIL, password: generatePassword() },
    staff: { email: DEMO_STAFF_EMAIL, password: generatePassword() },
  };
  await db.transaction().execute(async (tx) => {
    const space =
      (await tx.selectFrom('spaces').selectAll().where('slug', '=', 'gestion-locative').executeTakeFirst()) ??
      (await tx
        .insertInto('spaces')
        .values({ slug: 'gestion-locative', name: 'Gestion locative' })
        .returningAll()
        .executeTakeFirstOrThrow());
    const client = await createAccount(tx, {
      kind: 'client',
      email: credentials.client.email,
      full_name: 'Claire Martin',
      staff_role: null,
      password_hash: await hashPassword(credentials.client.password),
      pending_password_hash: null,
      pending_password_expires_at: null,
      password_changed_at: new Date(),
      last_login_at: null,
      disabled_at: null,
    });
    await addClientToSpace(tx, space.id, client.id);
    await createAccount(tx, {
      kind: 'staff',
      email: credentials.staff.email,
      full_name: 'Julien Bernard',
      staff_role: 'manager',
      is_admin: true,
      password_hash: await hashPassword(credentials.staff.password),
      pending_password_hash: null,
      pending_password_expires_at: null,
      password_changed_at: new Date(),
      last_login_at: null,
      disabled_at: null,
    });
  });
  await writeFile(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  await seedDemoCases(db);
  return credentials;
}

/** Two cases of the demo client (a vehicle lease with an 18,000 € down payment in a "Crédit
 * auto" space, a rental application), created once; their collection starts with the worker. */
export async function seedDemoCases(db: Db): Promise<void> {
  const client = await findAccountByEmail(db, 'client', DEMO_CLIENT_EMAIL);
  const lease = await findTemplateBySlug(db, 'credit-bail-vehicule');
  const rental = await findTemplateBySlug(db, 'demande-location');
  if (!client || !lease || !rental) return;
  if (await db.selectFrom('cases').select('id').where('client_account_id', '=', client.id).executeTakeFirst()) return;
  await db.transaction().execute(async (tx) => {
    const credit =
      (await tx.selectFrom('spaces').selectAll().where('slug', '=', 'credit-auto').executeTakeFirst()) ??
      (await tx
        .insertInto('spaces')
        .values({ slug: 'credit-auto', name: 'Crédit auto', team_email: 'agence@demo.guichet.test' })
        .returningAll()
        .executeTakeFirstOrThrow());
    const rentals = await tx
      .selectFrom('spaces')
      .selectAll()
      .where('slug', '=', 'gestion-locative')
      .executeTakeFirstOrThrow();
    // The demo client writes messages to one service only (the run command's test relies on it);
    // their lease case is theirs all the same: cases belong to their client, not to a membership.
    await createCase(tx, {
      spaceId: credit.id,
      templateId: lease.id,
      clientAccountId: client.id,
      number: 'TELEFI-2026-004217',
      title: 'Location avec option d’achat — Peugeot e-208',
      facts: { financing: 'lease', downPayment: 18000 },
    });
    await createCase(tx, {
      spaceId: rentals.id,
      templateId: rental.id,
      clientAccountId: client.id,
      number: 'EKIP-88120',
      title: 'Demande de location — 12 rue des Lilas, Lyon',
    });
  });
}
