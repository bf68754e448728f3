// Staff's reading state of client messages: to read, read, cancelled (seed 003).
import type { Db } from './connect.js';
import type { MessageStaffState } from './database.js';

export const MESSAGE_STAFF_STATES: readonly MessageStaffState[] = ['to_read', 'read', 'cancelled'];

/** Sets the state of one client message of the conversation; false when there is no such message. */
export async function setMessageStaffState(
  db: Db,
  conversationId: string,
  messageId: string,
  state: MessageStaffState,
): Promise<boolean> {
  const result = await db
    .updateTable('messages')
    .set({ staff_state: state })
    .where('id', '=', messageId)
    .where('conversation_id', '=', conversationId)
    .where('author_kind', '=', 'client')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Answering reads what came before: client messages still to read become read (cancelled stay). */
export async function markClientMessagesRead(db: Db, conversationId: string, before: Date): Promise<void> {
  await db
    .updateTable('messages')
    .set({ staff_state: 'read' })
    .where('conversation_id', '=', conversationId)
    .where('author_kind', '=', 'client')
    .where('staff_state', '=', 'to_read')
    .where('created_at', '<=', before)
    .execute();
}
