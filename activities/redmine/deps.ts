// What the Redmine mirror's activities need, shared by each family of steps.
import type { Db } from '../../db/connect.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import type { FileStorage } from '../../app/file-storage.js';

/** What the mirror tells conversation workflows (a Temporal client in production). */
export interface ConversationSignals {
  staffAnswer(conversationId: string, messageId: string, options: { fromRedmine: boolean }): Promise<void>;
  askSatisfaction(conversationId: string, ref: string): Promise<void>;
}

export interface RedmineActivityDeps {
  db: Db;
  redmine: RedmineMirrorContext | undefined;
  signals: ConversationSignals;
  publicUrl: string;
  /** The files clients deposit, sent on to Redmine with their message's note. */
  storage: FileStorage;
}
