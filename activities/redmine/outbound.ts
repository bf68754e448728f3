// Guichet → Redmine: a client message becomes a note on the conversation's issue (created on the
// first one), with its files uploaded (or linked when too large for Redmine); a back-office answer
// a note in the staff member's name where Redmine allows it; internal events private notes. Each
// note carries its message's marker, so that a retry never posts it twice. A client message's
// note and files are in outbound-client.ts.
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { findAccountById } from '../../db/accounts.js';
import { findConversation, findMessage } from '../../db/conversations.js';
import { markMessageDelivered, settleUnmirroredMessage } from '../../db/redmine.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { isSwitchUserError } from '../../connectors/redmine/errors.js';
import type { MessageRef } from '../conversations.js';
import type { RedmineActivityDeps } from './deps.js';
import type { IssueSteps } from './issue.js';
import { createClientMessageSteps } from './outbound-client.js';
import { whileAlive } from '../heartbeat.js';
import { internalNoteText, writePrivateNote, type InternalNote } from './private-notes.js';

/** What mirroring client messages did: whether they reached an issue, which, and whether the
 * issue was created with the acknowledgement in its description (then the conversation workflow
 * writes no acknowledgement note). */
export interface MirrorResult {
  mirrored: boolean;
  issueId?: number;
  acknowledgedInIssue?: boolean;
}

/** The server signals inside its transaction, so a message may not be visible for a moment; one
 * that is still missing after a few minutes was rolled back, and must not block the messages
 * queued behind it (Redmine steps otherwise retry without limit). */
function missingMessage(ref: MessageRef): ApplicationFailure {
  const message = `message ${ref.messageId} is not visible`;
  return Context.current().info.attempt >= 15
    ? ApplicationFailure.nonRetryable(`${message}: given up`, 'MessageGone')
    : ApplicationFailure.retryable(`${message} yet`, 'NotYetVisible');
}

/** Whether an earlier attempt of this activity may have written to Redmine: any attempt but the
 * first, and any call made outside an activity (nothing then proves there was none). */
function earlierAttemptPossible(): boolean {
  try {
    return Context.current().info.attempt > 1;
  } catch {
    return true;
  }
}

/** A back-office answer's note, posted once: in the staff member's own name where Redmine allows
 * it (an administrator's key and a known login); otherwise as the integration user, signed with
 * their name. */
async function postStaffAnswer(
  db: RedmineActivityDeps['db'],
  ctx: RedmineMirrorContext,
  issueId: number,
  message: { id: string; body: string; author_display_name: string; author_account_id: string | null },
): Promise<void> {
  const author = message.author_account_id ? await findAccountById(db, message.author_account_id) : undefined;
  const noteRef = `message-${message.id}`;
  if (ctx.adminKey && author?.redmine_login) {
    try {
      const result = await ctx.client.addNoteOnce(
        issueId,
        noteRef,
        { notes: message.body },
        { switchUser: author.redmine_login },
      );
      await markMessageDelivered(db, message.id, result.journalId);
      return;
    } catch (err) {
      if (!isSwitchUserError(err)) throw err;
      log.warn('Redmine refused to switch user: posting as the integration user', { login: author.redmine_login });
    }
  }
  const result = await ctx.client.addNoteOnce(issueId, noteRef, {
    notes: `${message.body}\n\n— ${message.author_display_name}`,
  });
  await markMessageDelivered(db, message.id, result.journalId);
}

export function createOutboundSteps(
  { db, redmine, publicUrl, storage }: Pick<RedmineActivityDeps, 'db' | 'redmine' | 'publicUrl' | 'storage'>,
  ensureIssue: IssueSteps['ensureIssue'],
) {
  const { deliverClientMessages } = createClientMessageSteps({ db, publicUrl, storage });

  /** Not mirrored (no Redmine, or a space without a project): the message waits for nothing. */
  async function notMirrored(ref: MessageRef) {
    await settleUnmirroredMessage(db, ref.messageId);
    return { mirrored: false };
  }

  /**
   * Posts a conversation's client messages that wait together, in order, on its issue (created
   * on the first one): one PUT per note and one read of the journals after the batch. The first
   * attempt reads nothing before: this activity is the only step that writes these notes, once
   * per message (the conversation workflow hands each message to one activity), so before its
   * first attempt none of them can be on Redmine; a later attempt (after a failure, a timeout or
   * a worker lost mid-way) reads the journals first and skips the notes already there. Heartbeats
   * while it runs: a worker that dies mid-upload hands it on within the heartbeat timeout.
   */
  async function mirrorClientMessages(given: MessageRef[]): Promise<MirrorResult> {
    // A message named twice goes once.
    const refs = given.filter((r, i) => given.findIndex((o) => o.messageId === r.messageId) === i);
    const first = refs[0];
    if (!first) return { mirrored: false };
    if (refs.some((r) => r.conversationId !== first.conversationId))
      throw ApplicationFailure.nonRetryable('a batch of client messages spans conversations', 'InvalidBatch');
    if (!redmine) {
      for (const ref of refs) await notMirrored(ref);
      return { mirrored: false };
    }
    const ctx = redmine;
    return whileAlive(async () => {
      const messages: NonNullable<Awaited<ReturnType<typeof findMessage>>>[] = [];
      for (const ref of refs) {
        const message = await findMessage(db, ref.messageId);
        if (message) messages.push(message);
        // Rolled back long ago (see missingMessage): the others of the batch go on without it.
        else if (refs.length === 1 || Context.current().info.attempt < 15) throw missingMessage(ref);
        else log.warn('client message not visible: left out of its batch', { messageId: ref.messageId });
      }
      const issue = await ensureIssue(ctx, first.conversationId, earlierAttemptPossible());
      if (issue === undefined) {
        for (const ref of refs) await notMirrored(ref);
        return { mirrored: false };
      }
      const waiting = messages.filter((m) => m.redmine_delivery !== 'delivered');
      // A message already delivered (the poller found its note) means some note was written before.
      const lookFirst = earlierAttemptPossible() || waiting.length < messages.length;
      await deliverClientMessages(ctx, first.conversationId, waiting, issue.id, lookFirst);
      return { mirrored: true, issueId: issue.id, ...(issue.acknowledged ? { acknowledgedInIssue: true } : {}) };
    });
  }

  return {
    /** Whether a client message has somewhere to go; without Redmine it is settled at once. */
    async needsMirror(ref: MessageRef): Promise<boolean> {
      if (redmine) return true;
      await notMirrored(ref);
      return false;
    },

    /** Posts a client message on the conversation's issue (created on the first one): a batch
     * of one (the activity of workflow histories written before batches). */
    async mirrorClientMessage(ref: MessageRef): Promise<MirrorResult> {
      return mirrorClientMessages([ref]);
    },

    mirrorClientMessages,

    /** Posts a back-office answer on the issue, signed with the staff member's name. */
    async mirrorStaffAnswer(ref: MessageRef): Promise<{ mirrored: boolean }> {
      if (!redmine) return { mirrored: false };
      const message = await findMessage(db, ref.messageId);
      if (!message) throw missingMessage(ref);
      if (message.redmine_journal_id !== null || message.redmine_delivery === 'delivered') return { mirrored: true };
      const issue = await ensureIssue(redmine, ref.conversationId, earlierAttemptPossible());
      if (issue === undefined) return { mirrored: false };
      // The first message of a conversation staff opened: the issue's description holds it.
      if (message.author_kind === 'staff' && message.plain_text) {
        await markMessageDelivered(db, message.id, null);
        return { mirrored: true };
      }
      await postStaffAnswer(db, redmine, issue.id, message);
      return { mirrored: true };
    },

    /** An internal event, written on the issue as a private note (once per ref), in the notes'
     * language. `text` is the shape of workflows started before notes had kinds (a retry of theirs). */
    async writeInternalNote(
      input: { conversationId: string; ref: string } & ({ note: InternalNote } | { text: string }),
    ): Promise<{ written: boolean }> {
      if (!redmine) return { written: false };
      const conversation = await findConversation(db, input.conversationId);
      if (!conversation?.redmine_issue_id) return { written: false };
      const text = 'note' in input ? internalNoteText(input.note) : input.text;
      await writePrivateNote(db, redmine, {
        issueId: conversation.redmine_issue_id,
        ref: input.ref,
        text,
        conversationId: conversation.id,
        // Each internal event's note is written by its one step of the conversation workflow.
        lookFirst: earlierAttemptPossible(),
      });
      return { written: true };
    },
  };
}
