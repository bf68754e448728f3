// Redmine → Guichet: one issue brought into Guichet. Public notes become staff messages (with
// their files), private notes and the description never leave Redmine, statuses and the assignee
// follow; an issue staff open for a client in a mapped project appears in that client's space.
// Safe to run twice at once, and again and again (unique journal ids and issue ids).
import { randomUUID } from 'node:crypto';
import { log } from '@temporalio/activity';
import type { Conversation, ConversationStatus, Message } from '../../db/database.js';
import { addClientToSpace, findAccountById, findOrCreateClient, normalizeEmail } from '../../db/accounts.js';
import { findConversation, findMessage } from '../../db/conversations.js';
import {
  createConversationFromIssue,
  deleteMessage,
  findConversationByIssue,
  findSpaceBySlug,
  insertMirroredJournal,
  linkConversationToIssue,
  markMessageDelivered,
  mirroredMessages,
  setConversationAssignee,
  setConversationStatusIfChanged,
  setEmailWarned,
  staffEmailOfRedmineLogin,
  updateMessageBody,
} from '../../db/redmine.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { noteMarkerRefs, stripNoteMarkers } from '../../connectors/redmine/notes.js';
import type { RedmineIssue, RedmineJournal } from '../../connectors/redmine/types.js';
import { isEmail } from '../../domain/validation.js';
import { staffDisplayName } from '../../app/conversations.js';
import { staffNotes } from '../../i18n/notes/index.js';
import type { RedmineActivityDeps } from './deps.js';
import { writePrivateNote } from './private-notes.js';

/** The conversation of an issue Guichet created: the marker its description ends with (a marker
 * anywhere else is text someone wrote). */
function conversationOfDescription(description: string): string | undefined {
  const ref = noteMarkerRefs(description)[0];
  return ref ? /^conversation-([0-9a-f-]{36})$/.exec(ref)?.[1] : undefined;
}

function emailOf(ctx: RedmineMirrorContext, issue: RedmineIssue): string | undefined {
  const field = issue.customFields.find((f) => f.id === ctx.emailFieldId);
  const value = Array.isArray(field?.value) ? field.value[0] : field?.value;
  const email = value ? normalizeEmail(value) : '';
  return email && isEmail(email) ? email : undefined;
}

function statusFor(ctx: RedmineMirrorContext, issue: RedmineIssue, current: ConversationStatus): ConversationStatus {
  if (ctx.closedStatusIds.has(issue.statusId) || issue.statusIsClosed) return 'closed';
  if (issue.statusId === ctx.resolvedStatusId) return 'resolved';
  if (issue.statusId === ctx.feedbackStatusId) return 'waiting_client';
  // Reopened in Redmine: back to waiting for staff, unless staff already answered.
  return current === 'resolved' || current === 'closed' || current === 'waiting_client' ? 'open' : current;
}

/** The files a journal added, among the issue's attachments. */
function attachmentsOfJournal(journal: RedmineJournal, attachments: RedmineIssue['attachments']) {
  const found: NonNullable<RedmineIssue['attachments']> = [];
  for (const detail of journal.details) {
    if (detail.property !== 'attachment' || !detail.newValue) continue;
    const attachment = attachments?.find((a) => String(a.id) === detail.name);
    if (attachment) found.push(attachment);
  }
  return found;
}

// Long as a whole: a factory of short steps sharing the deps and the assignee cache.
export function createInboundSteps({ db, signals }: Pick<RedmineActivityDeps, 'db' | 'signals'>) {
  async function mirrorJournal(
    ctx: RedmineMirrorContext,
    conversation: { id: string; status: ConversationStatus },
    journal: RedmineJournal,
    existing: Message | undefined,
    attachments: RedmineIssue['attachments'],
  ): Promise<void> {
    if (journal.privateNotes) {
      // Made private after it was mirrored: it leaves the client space.
      if (existing) {
        await deleteMessage(db, existing.id);
        log.info('mirrored note made private: removed', { conversationId: conversation.id, journalId: journal.id });
      }
      return;
    }
    const body = stripNoteMarkers(journal.notes).trim();
    if (existing) {
      if (existing.body !== body) await updateMessageBody(db, existing.id, body);
      return;
    }
    const messageId = randomUUID();
    // The message and its files in one transaction: a page never shows one without the other.
    const inserted = await insertMirroredJournal(
      db,
      {
        id: messageId,
        conversationId: conversation.id,
        authorKind: 'staff',
        authorAccountId: null,
        authorDisplayName: staffDisplayName(journal.userName, ctx.staffNames, ctx.teamName),
        body,
        idempotencyKey: `redmine-journal-${journal.id}`,
        redmineJournalId: journal.id,
        createdAt: journal.createdOn,
      },
      attachmentsOfJournal(journal, attachments).map((a) => ({
        id: a.id,
        filename: a.filename,
        contentType: a.contentType,
        filesize: a.filesize,
      })),
    );
    if (!inserted) return;
    if (conversation.status === 'open') await setConversationStatusIfChanged(db, conversation.id, 'answered');
    await signals.staffAnswer(conversation.id, messageId, { fromRedmine: true });
  }

  // Redmine users change rarely: one lookup per assignee every few minutes is plenty.
  const assignees = new Map<number, { at: number; email: string | null }>();
  const ASSIGNEE_TTL_MS = 5 * 60_000;

  /** The e-mail that reminders go to: the Guichet staff account with that Redmine login, else the
   * address Redmine shows (an administrator's key sees hidden ones), else none (the team then). */
  async function assigneeEmail(ctx: RedmineMirrorContext, userId: number): Promise<string | null> {
    const cached = assignees.get(userId);
    if (cached && Date.now() - cached.at < ASSIGNEE_TTL_MS) return cached.email;
    const user = await ctx.client.getUser(userId);
    let email: string | null = null;
    if (user) {
      const staff = await staffEmailOfRedmineLogin(db, user.login);
      email = staff ?? (user.mail && isEmail(user.mail) ? normalizeEmail(user.mail) : null);
    }
    assignees.set(userId, { at: Date.now(), email });
    return email;
  }

  async function recordAssignee(
    ctx: RedmineMirrorContext,
    conversation: Pick<Conversation, 'id' | 'assignee_redmine_id' | 'assignee_name' | 'assignee_email'>,
    assignedTo: { id: number; name: string } | undefined,
  ) {
    const id = assignedTo?.id ?? null;
    const name = assignedTo?.name ?? null;
    const email = id === null ? null : await assigneeEmail(ctx, id);
    if (
      id === conversation.assignee_redmine_id &&
      name === conversation.assignee_name &&
      email === conversation.assignee_email
    )
      return;
    await setConversationAssignee(db, conversation.id, { redmineId: id, name, email });
  }

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

  /** The issue's journals into the conversation; notes deleted in Redmine leave it too. */
  async function mirrorJournals(ctx: RedmineMirrorContext, issue: RedmineIssue, conversation: Conversation) {
    const mirrored = await mirroredMessages(db, conversation.id);
    const seenJournals = new Set<number>();
    for (const journal of issue.journals ?? []) {
      seenJournals.add(journal.id);
      const refs = noteMarkerRefs(journal.notes);
      if (refs.length > 0) {
        // Guichet's own note: a client message delivered, or an internal event. Never mirrored back.
        for (const ref of refs) {
          const id = /^message-([0-9a-f-]{36})$/.exec(ref)?.[1];
          const message = id ? await findMessage(db, id) : undefined;
          if (message && message.redmine_journal_id === null) await markMessageDelivered(db, message.id, journal.id);
        }
        continue;
      }
      if (!journal.notes.trim()) continue;
      await mirrorJournal(ctx, conversation, journal, mirrored.get(journal.id), issue.attachments);
    }
    // Notes deleted in Redmine leave the client space too (only staff notes: a client's own
    // message stays theirs).
    for (const [journalId, message] of mirrored) {
      if (!seenJournals.has(journalId) && message.author_kind === 'staff') await deleteMessage(db, message.id);
    }
  }

  /** Brings one issue into Guichet. Safe to run twice at once, and again and again. */
  async function syncIssue(ctx: RedmineMirrorContext, issueId: number): Promise<'mirrored' | 'skipped'> {
    const issue = await ctx.client.getIssue(issueId, { journals: true, attachments: true });
    if (!issue || !ctx.projectIds.includes(issue.projectId)) return 'skipped';
    // Staff coordinate in sub-tasks: never mirrored.
    if (issue.parentId !== undefined) return 'skipped';
    const email = emailOf(ctx, issue);
    const conversation = await conversationOf(ctx, issue, email);
    if (!conversation) return 'skipped';
    const client = await findAccountById(db, conversation.client_account_id);
    if (!client) return 'skipped';
    if (!(await emailFieldHolds(ctx, issue, conversation, email, client.email))) return 'skipped';
    await recordAssignee(ctx, conversation, issue.assignedTo);
    await mirrorJournals(ctx, issue, conversation);
    const fresh = (await findConversation(db, conversation.id))!;
    const status = statusFor(ctx, issue, fresh.status);
    if (status === 'waiting_client') {
      // Feedback in Redmine: the workflow asks the client and holds the 72 h auto-resolve.
      if (fresh.status !== 'waiting_client')
        await signals.askSatisfaction(conversation.id, `redmine-${issue.id}-${issue.updatedOn.getTime()}`);
    } else {
      await setConversationStatusIfChanged(db, conversation.id, status);
    }
    return 'mirrored';
  }

  return { syncIssue };
}
