// What the Excel exports read, a batch at a time (keyset pagination: each batch starts where the
// last one stopped). Messages are the conversations' messages as the back-office shows them:
// private Redmine notes never become messages, so they cannot appear here.
import { sql } from 'kysely';
import type { Db } from './connect.js';
import type { AuthorKind, ContactKind, ContactState, MessageKind, MessageStaffState } from './database.js';
import { whereInScope, type StaffScope } from './staff-access.js';
import { whereClientInScope } from './clients.js';

export interface ContactExportRow {
  clientId: string;
  clientName: string;
  clientEmail: string;
  observation: string;
  spaces: string;
  kind: ContactKind | null;
  value: string | null;
  state: ContactState | null;
}

/** Every client record, with one row per contact (or one row without a contact). */
export async function* streamContacts(db: Db, scope: StaffScope, batchSize = 500): AsyncGenerator<ContactExportRow[]> {
  let after: string | undefined;
  for (;;) {
    let query = db
      .selectFrom('accounts')
      .select((eb) => [
        'accounts.id',
        'accounts.full_name',
        'accounts.email',
        'accounts.observation',
        whereInScope(
          eb
            .selectFrom('space_clients')
            .innerJoin('spaces', 'spaces.id', 'space_clients.space_id')
            .select(sql<string>`string_agg(spaces.name, ', ' order by spaces.name)`.as('names'))
            .whereRef('space_clients.account_id', '=', 'accounts.id'),
          'space_clients.space_id',
          scope,
        ).as('spaces'),
      ])
      .where('accounts.kind', '=', 'client');
    query = whereClientInScope(query, 'accounts.id', scope);
    if (after) query = query.where('accounts.id', '>', after);
    const clients = await query.orderBy('accounts.id').limit(batchSize).execute();
    if (clients.length === 0) return;
    const contacts = await db
      .selectFrom('client_contacts')
      .select(['client_account_id', 'kind', 'value', 'state'])
      .where(
        'client_account_id',
        'in',
        clients.map((c) => c.id),
      )
      .orderBy('client_account_id')
      .orderBy('kind')
      .orderBy(sql`array_position(array['default', 'validated', 'pending', 'invalid']::text[], state)`)
      .orderBy('created_at')
      .execute();
    const byClient = new Map<string, typeof contacts>();
    for (const c of contacts) {
      const list = byClient.get(c.client_account_id) ?? [];
      list.push(c);
      byClient.set(c.client_account_id, list);
    }
    const rows: ContactExportRow[] = [];
    for (const client of clients) {
      const base = {
        clientId: client.id,
        clientName: client.full_name,
        clientEmail: client.email,
        observation: client.observation,
        spaces: client.spaces ?? '',
      };
      const own = byClient.get(client.id) ?? [];
      if (own.length === 0) rows.push({ ...base, kind: null, value: null, state: null });
      for (const c of own) rows.push({ ...base, kind: c.kind, value: c.value, state: c.state });
    }
    yield rows;
    if (clients.length < batchSize) return;
    after = clients[clients.length - 1]!.id;
  }
}

export interface MessageExportRow {
  id: string;
  createdAt: Date;
  spaceName: string;
  subject: string;
  clientName: string;
  clientEmail: string;
  authorKind: AuthorKind;
  authorName: string;
  kind: MessageKind;
  body: string;
  staffState: MessageStaffState;
}

/** Every message of every conversation, oldest first. */
export async function* streamMessages(db: Db, scope: StaffScope, batchSize = 1000): AsyncGenerator<MessageExportRow[]> {
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    let query = whereInScope(
      db.selectFrom('messages').innerJoin('conversations', 'conversations.id', 'messages.conversation_id'),
      'conversations.space_id',
      scope,
    )
      .innerJoin('accounts as client', 'client.id', 'conversations.client_account_id')
      .innerJoin('spaces', 'spaces.id', 'conversations.space_id')
      .select([
        'messages.id',
        'messages.created_at as createdAt',
        'spaces.name as spaceName',
        'conversations.subject',
        'client.full_name as clientName',
        'client.email as clientEmail',
        'messages.author_kind as authorKind',
        'messages.author_display_name as authorName',
        'messages.kind',
        'messages.body',
        'messages.staff_state as staffState',
      ]);
    if (after) {
      const { createdAt, id } = after;
      query = query.where((eb) => eb(eb.refTuple('messages.created_at', 'messages.id'), '>', eb.tuple(createdAt, id)));
    }
    const batch = await query.orderBy('messages.created_at').orderBy('messages.id').limit(batchSize).execute();
    if (batch.length > 0) yield batch;
    if (batch.length < batchSize) return;
    const last = batch[batch.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
  }
}
