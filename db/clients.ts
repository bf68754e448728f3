// Client records as staff see them: the client account, its contacts (each pending, validated,
// the default of its kind, or invalid), the contact actions, the files and the observation.
import { sql, type SelectQueryBuilder } from 'kysely';
import { inTransaction, type Db } from './connect.js';
import type { Account, ContactKind, ContactState, Database } from './database.js';
import type { StaffScope } from './staff-access.js';

export const CONTACT_KINDS: readonly ContactKind[] = ['postal', 'email', 'phone'];
export const CONTACT_STATES: readonly ContactState[] = ['pending', 'validated', 'default', 'invalid'];

export interface ClientSummary {
  id: string;
  fullName: string;
  email: string;
  defaults: { kind: ContactKind; value: string }[];
}

/**
 * Restricts a query to clients the scope reaches: a client belongs to a space through its
 * membership (space_clients), its cases and conversations there, and the cases of the space
 * they were given access to (contributors, occasional access).
 */
export function whereClientInScope<TB extends keyof Database, O>(
  query: SelectQueryBuilder<Database, TB, O>,
  column: string,
  scope: StaffScope,
): SelectQueryBuilder<Database, TB, O> {
  if (scope.all) return query;
  if (scope.spaceIds.length === 0) return query.where(sql<boolean>`false`);
  const ids = sql.join(scope.spaceIds.map((id) => sql`${id}::uuid`));
  return query.where(
    sql<boolean>`${sql.ref(column)} in (
      select account_id from space_clients where space_id in (${ids})
      union select client_account_id from cases where space_id in (${ids})
      union select client_account_id from conversations where space_id in (${ids})
      union select m.account_id from case_members m join cases c on c.id = m.case_id where c.space_id in (${ids}))`,
  );
}

export async function listClients(
  db: Db,
  options: { scope: StaffScope; search?: string; limit: number; offset: number },
): Promise<{ items: ClientSummary[]; total: number }> {
  let query = whereClientInScope(db.selectFrom('accounts').where('kind', '=', 'client'), 'accounts.id', options.scope);
  const search = options.search?.trim();
  if (search) {
    const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('full_name', 'ilike', like), eb('email', 'ilike', like)]));
  }
  const [rows, count] = await Promise.all([
    query
      .select(['id', 'full_name', 'email'])
      .orderBy('full_name')
      .orderBy('id')
      .limit(options.limit)
      .offset(options.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const ids = rows.map((r) => r.id);
  const defaults = ids.length
    ? await db
        .selectFrom('client_contacts')
        .select(['client_account_id', 'kind', 'value'])
        .where('client_account_id', 'in', ids)
        .where('state', '=', 'default')
        .execute()
    : [];
  return {
    total: Number(count.n),
    items: rows.map((r) => ({
      id: r.id,
      fullName: r.full_name,
      email: r.email,
      defaults: defaults.filter((d) => d.client_account_id === r.id).map((d) => ({ kind: d.kind, value: d.value })),
    })),
  };
}

/** The client record if the staff member's scope reaches it; otherwise it does not exist for them. */
export async function findClient(db: Db, id: string, scope: StaffScope): Promise<Account | undefined> {
  return whereClientInScope(
    db.selectFrom('accounts').selectAll().where('id', '=', id).where('kind', '=', 'client'),
    'accounts.id',
    scope,
  ).executeTakeFirst();
}

export interface Contact {
  id: string;
  kind: ContactKind;
  value: string;
  state: ContactState;
  updatedAt: Date;
}

export async function listContacts(db: Db, clientId: string): Promise<Contact[]> {
  const rows = await db
    .selectFrom('client_contacts')
    .select(['id', 'kind', 'value', 'state', 'updated_at'])
    .where('client_account_id', '=', clientId)
    // Default first, then validated, pending, invalid; oldest first within a state.
    .orderBy(sql`array_position(array['default', 'validated', 'pending', 'invalid']::text[], state)`)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, value: r.value, state: r.state, updatedAt: r.updated_at }));
}

export async function findContact(db: Db, clientId: string, contactId: string): Promise<Contact | undefined> {
  const r = await db
    .selectFrom('client_contacts')
    .select(['id', 'kind', 'value', 'state', 'updated_at'])
    .where('id', '=', contactId)
    .where('client_account_id', '=', clientId)
    .executeTakeFirst();
  return r && { id: r.id, kind: r.kind, value: r.value, state: r.state, updatedAt: r.updated_at };
}

export async function addContact(db: Db, clientId: string, kind: ContactKind, value: string): Promise<string> {
  const row = await db
    .insertInto('client_contacts')
    .values({ client_account_id: clientId, kind, value })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The current default of a kind, if any. */
export async function defaultContact(db: Db, clientId: string, kind: ContactKind): Promise<Contact | undefined> {
  const r = await db
    .selectFrom('client_contacts')
    .select(['id', 'kind', 'value', 'state', 'updated_at'])
    .where('client_account_id', '=', clientId)
    .where('kind', '=', kind)
    .where('state', '=', 'default')
    .executeTakeFirst();
  return r && { id: r.id, kind: r.kind, value: r.value, state: r.state, updatedAt: r.updated_at };
}

/**
 * Changes a contact's state. Making it the default demotes the previous default of its kind to
 * validated, in one transaction; the partial unique index keeps one default per kind even if
 * two staff members do it at once (the second fails and nothing of it is kept).
 */
export async function setContactState(
  db: Db,
  clientId: string,
  contactId: string,
  state: ContactState,
): Promise<Contact | undefined> {
  return inTransaction(db, async (tx) => {
    const contact = await tx
      .selectFrom('client_contacts')
      .select(['id', 'kind'])
      .where('id', '=', contactId)
      .where('client_account_id', '=', clientId)
      .forUpdate()
      .executeTakeFirst();
    if (!contact) return undefined;
    if (state === 'default') {
      await tx
        .updateTable('client_contacts')
        .set({ state: 'validated', updated_at: new Date() })
        .where('client_account_id', '=', clientId)
        .where('kind', '=', contact.kind)
        .where('state', '=', 'default')
        .where('id', '!=', contactId)
        .execute();
    }
    await tx
      .updateTable('client_contacts')
      .set({ state, updated_at: new Date() })
      .where('id', '=', contactId)
      .execute();
    return findContact(tx, clientId, contactId);
  });
}

export async function setObservation(db: Db, clientId: string, observation: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ observation })
    .where('id', '=', clientId)
    .where('kind', '=', 'client')
    .execute();
}

export interface ContactAction {
  id: string;
  kind: 'call' | 'letter' | 'sms' | 'email';
  body: string;
  contactValue: string | null;
  staffName: string | null;
  createdAt: Date;
}

export async function recordContactAction(
  db: Db,
  action: { clientId: string; contactId: string | null; kind: ContactAction['kind']; staffId: string; body: string },
): Promise<void> {
  await db
    .insertInto('contact_actions')
    .values({
      client_account_id: action.clientId,
      contact_id: action.contactId,
      kind: action.kind,
      staff_account_id: action.staffId,
      body: action.body,
    })
    .execute();
}

export async function listContactActions(db: Db, clientId: string, limit = 50): Promise<ContactAction[]> {
  const rows = await db
    .selectFrom('contact_actions')
    .leftJoin('client_contacts', 'client_contacts.id', 'contact_actions.contact_id')
    .leftJoin('accounts', 'accounts.id', 'contact_actions.staff_account_id')
    .select([
      'contact_actions.id',
      'contact_actions.kind',
      'contact_actions.body',
      'contact_actions.created_at',
      'client_contacts.value',
      'accounts.full_name',
    ])
    .where('contact_actions.client_account_id', '=', clientId)
    .orderBy('contact_actions.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    body: r.body,
    contactValue: r.value,
    staffName: r.full_name,
    createdAt: r.created_at,
  }));
}

export interface ClientFile {
  id: string;
  fileName: string;
  sizeBytes: number;
  contentType: string;
  storageKey: string;
  createdAt: Date;
}

export async function listClientFiles(db: Db, clientId: string): Promise<ClientFile[]> {
  const rows = await db
    .selectFrom('client_files')
    .selectAll()
    .where('client_account_id', '=', clientId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    fileName: r.file_name,
    sizeBytes: r.size_bytes,
    contentType: r.content_type,
    storageKey: r.storage_key,
    createdAt: r.created_at,
  }));
}

export async function findClientFile(db: Db, clientId: string, fileId: string): Promise<ClientFile | undefined> {
  return (await listClientFiles(db, clientId)).find((f) => f.id === fileId);
}

export async function addClientFile(
  db: Db,
  file: {
    clientId: string;
    fileName: string;
    contentType: string;
    sizeBytes: number;
    sha256: string;
    storageKey: string;
    uploadedBy: string;
  },
): Promise<void> {
  await db
    .insertInto('client_files')
    .values({
      client_account_id: file.clientId,
      file_name: file.fileName,
      content_type: file.contentType,
      size_bytes: file.sizeBytes,
      sha256: file.sha256,
      storage_key: file.storageKey,
      uploaded_by: file.uploadedBy,
    })
    .execute();
}
