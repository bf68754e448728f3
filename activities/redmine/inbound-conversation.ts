// Redmine → Guichet: the conversation of an issue (recorded, created by Guichet and linked, or
// opened by staff for a client in a mapped project) and whether the issue's e-mail field still
// names that conversation's client (staff warned once per value seen when not).
import { randomUUID } from 'node:crypto';
import type { Conversation } from '../../db/database.js';
import { addClientToSpace, findOrCreateClient } from '../../db/accounts.js';
import { findConversation } from '../../db/conversations.js';
import {
  createConversationFromIssue,
  findConversationByIssue,
  findSpaceBySlug,
  linkConversationToIssue,
  setEmailWarned,
} from '../../db/redmine.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { noteMarkerRefs } from '../../connectors/redmine/notes.js';
import type { RedmineIssue } from '../../connectors/redmine/types.js';
import { staffNotes } from '../../i18n/notes/index.js';
import type { RedmineActivityDeps } from './deps.js';
import { writePrivateNote } from './private-notes.js';

/** The conversation of an issue Guichet created: the marker its description ends with (a marker
 * anywhere else is text someone wrote). */
function conversationOfDescription(description: string): string | undefined {
  const ref = noteMarkerRefs(description)[0];
  return ref ? /^conversation-([0-9a-f-]{36})$/.exec(ref)?.[1] : undefined;
}

export function createIssueConversationSteps({ db }: Pick<RedmineActivityDeps, 'db'>) {
  /** Staff opened an issue for a client in a mapped project: it appears in that client's space. */
  async function openFromRedmine(ctx: RedmineMirrorContext, issue: RedmineIssue, email: string) {
    const slug = [...ctx.projectIdBySlug].find(([, id]) => id === issue.projectId)?.[0];
    const space = slug ? await findSpaceBySlug(db, slug) : undefined;
    if (!space) return undefined;
    const client = await findOrCreateClient(db, email, '');
    await addClientToSpace(db, space.id, client.id);
    const id = randomUUID();
    try {
      await createConversationFromIssue(db, {
        id,
        spaceId: space.id,
        clientAccountId: client.id,
        subject: issue.subject,
        issueId: issue.id,
        projectId: issue.projectId,
        createdOn: issue.createdOn,
      });
    } catch (err) {
      // Two polls at once: the unique issue id let only one of them create it.
      const other = await findConversationByIssue(db, issue.id);
      if (other) return other;
      throw err;
    }
    return findConversation(db, id);
  }

  /** The issue's conversation: recorded, or created by Guichet and not recorded yet (a crash in
   * between: linked, never duplicated), or opened by staff for a client (with that e-mail). */
  async function conversationOf(ctx: RedmineMirrorContext, issue: RedmineIssue, email: string | undefined) {
    const recorded = await findConversationByIssue(db, issue.id);
    if (recorded) return recorded;
    const ours = conversationOfDescription(issue.description);
    if (ours) {
      const mine = await findConversation(db, ours);
      if (!mine) return undefined;
      await linkConversationToIssue(db, mine.id, issue.id, issue.projectId);
      return { ...mine, redmine_issue_id: issue.id };
    }
    if (!email) return undefined;
    return openFromRedmine(ctx, issue, email);
  }

  /** Who may see is decided here, on every issue: the field must name this conversation's client.
   * Whether it does; when not, staff are warned once per value seen. */
  async function emailFieldHolds(
    ctx: RedmineMirrorContext,
    issue: RedmineIssue,
    conversation: Conversation,
    email: string | undefined,
    clientEmail: string,
  ): Promise<boolean> {
    if (email === clientEmail) {
      if (conversation.redmine_email_warned !== null) await setEmailWarned(db, conversation.id, null);
      return true;
    }
    const seen = email ?? '';
    if (conversation.redmine_email_warned !== seen) {
      const text = email
        ? staffNotes().emailFieldChanged(email, clientEmail)
        : staffNotes().emailFieldEmptied(clientEmail);
      await writePrivateNote(db, ctx, {
        issueId: issue.id,
        ref: `email-warning-${issue.id}-${Buffer.from(seen).toString('hex').slice(0, 80) || 'empty'}`,
        text,
        conversationId: conversation.id,
      });
      await setEmailWarned(db, conversation.id, seen);
    }
    return false;
  }

  return { conversationOf, emailFieldHolds };
}
