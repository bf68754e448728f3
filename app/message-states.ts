// Staff's reading state of a client message (to read, read, cancelled): the change and its audit
// entry happen in one transaction.
import type { Db } from '../db/connect.js';
import type { MessageStaffState } from '../db/database.js';
import { setMessageStaffState } from '../db/message-states.js';
import { auditStaff, type StaffActor } from './actor.js';

/** Sets the state of one client message of the conversation; false (nothing audited) when there is no such message. */
export function changeMessageState(
  db: Db,
  actor: StaffActor,
  message: { conversationId: string; messageId: string },
  state: MessageStaffState,
): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (!(await setMessageStaffState(tx, message.conversationId, message.messageId, state))) return false;
    await auditStaff(tx, actor, {
      action: 'message.state',
      subjectType: 'message',
      subjectId: message.messageId,
      details: { state },
    });
    return true;
  });
}
