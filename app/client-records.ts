// Staff's writes on a client's record: adding a contact or changing its state, the observation,
// and the exemption from the unpaid-invoice rule. Each write and its audit entry happen in one
// transaction.
import type { ContactKind, ContactState } from '../db/database.js';
import type { Db } from '../db/connect.js';
import { addContact, setContactState, setObservation } from '../db/clients.js';
import { setClientUnpaidExempt } from '../db/case-record.js';
import { auditStaff, type StaffActor } from './actor.js';

/** Adds a contact (pending) to the client's record; returns its id. */
export function addClientContact(
  db: Db,
  actor: StaffActor,
  clientId: string,
  contact: { kind: ContactKind; value: string },
): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const id = await addContact(tx, clientId, contact.kind, contact.value);
    await auditStaff(tx, actor, { action: 'contact.add', subjectType: 'client_contact', subjectId: id });
    return id;
  });
}

/** Changes a contact's state (a new default demotes the previous one of its kind). */
export async function changeContactState(
  db: Db,
  actor: StaffActor,
  clientId: string,
  contact: { id: string; state: ContactState },
  state: ContactState,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await setContactState(tx, clientId, contact.id, state);
    await auditStaff(tx, actor, {
      action: 'contact.state',
      subjectType: 'client_contact',
      subjectId: contact.id,
      details: { from: contact.state, to: state },
    });
  });
}

/** Replaces the staff's observation on the client's record. */
export function saveObservation(db: Db, actor: StaffActor, clientId: string, observation: string): Promise<void> {
  return db.transaction().execute(async (tx) => {
    await setObservation(tx, clientId, observation);
    await auditStaff(tx, actor, { action: 'client.observation', subjectType: 'account', subjectId: clientId });
  });
}

/** Exempts the client from the unpaid-invoice rule on downloads, or ends the exemption. */
export function setUnpaidExemption(db: Db, actor: StaffActor, clientId: string, exempt: boolean): Promise<void> {
  return db.transaction().execute(async (tx) => {
    await setClientUnpaidExempt(tx, clientId, exempt);
    await auditStaff(tx, actor, {
      action: 'client.unpaid_exempt',
      subjectType: 'account',
      subjectId: clientId,
      details: { exempt },
    });
  });
}
