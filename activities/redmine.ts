// The Redmine mirror. Guichet → Redmine: a conversation becomes an issue, every client message a
// note, internal events private notes. Redmine → Guichet: public notes become staff messages,
// private notes and the description never leave Redmine, statuses follow. Every write carries
// its own guard against doubles (note markers, unique journal ids, idempotency keys).
import { randomUUID } from 'node:crypto';
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { Db } from '../db/connect.js';
import type { ConversationStatus, Message } from '../db/database.js';
import { addClientToSpace, findAccountById, findOrCreateClient, normalizeEmail } from '../db/accounts.js';
import { audit } from '../db/audit.js';
import {
  createConversation,
  findConversation,
  findMessage,
  insertMessage,
  setRedmineAttachmentId,
  storedAttachmentsOfMessage,
} from '../db/conversations.js';
import {
  deleteMessage,
  findConversationByIssue,
  linkConversationToIssue,
  liveMirroredIssueIds,
  markMessageDelivered,
  mirroredMessages,
  setConversationStatusIfChanged,
  setEmailWarned,
  updateMessageBody,
} from '../db/redmine.js';
import type { RedmineMirrorContext } from '../connectors/redmine/mirror-context.js';
import {
  findNoteByMarker,
  hasNoteMarker,
  neutralizeMarkers,
  noteMarker,
  noteMarkerRefs,
  stripNoteMarkers,
} from '../connectors/redmine/notes.js';
import { sanitizeFilename } from '../connectors/redmine/client.js';
import { isAttachmentTooLarge, isSwitchUserError } from '../connectors/redmine/errors.js';
import type { RedmineIssue, RedmineJournal, UploadToken } from '../connectors/redmine/types.js';
import type { SyncState } from '../domain/workflow-inputs.js';
import type { FileStorage } from '../app/file-storage.js';
import { isEmail } from '../domain/validation.js';
import { staffDisplayName } from '../app/conversations.js';
import { staffNotes } from '../i18n/notes/index.js';
import type { MessageRef } from './conversations.js';

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

export type { SyncState };

/** The internal events a workflow asks to note on the issue (workflows cannot hold the texts). */
export type InternalNote = { kind: 'acknowledgement' };

function internalNoteText(note: InternalNote): string {
  switch (note.kind) {
    case 'acknowledgement':
      return staffNotes().acknowledgementSent;
  }
}

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

/** Writes a private note once and checks that Redmine kept it private (it silently publishes
 * notes of a user without "set notes private"): every private note Guichet writes goes here. */
export async function writePrivateNote(
  db: Db,
  ctx: RedmineMirrorContext,
  note: { issueId: number; ref: string; text: string; conversationId: string; subjectType?: 'conversation' | 'case' },
): Promise<void> {
  const result = await ctx.client.addNoteOnce(note.issueId, note.ref, { notes: note.text, privateNotes: true });
  if (!result.privateNotes) {
    // The note is public in Redmine. Guichet never mirrors its own notes back, but staff must know.
    log.error('Redmine published a private note', {
      issueId: note.issueId,
      journalId: result.journalId,
      ref: note.ref,
    });
    await audit(db, {
      actorAccountId: null,
      actorKind: 'system',
      action: 'redmine.private_note_published',
      subjectType: note.subjectType ?? 'conversation',
      subjectId: note.conversationId,
      details: { issueId: note.issueId, journalId: result.journalId },
    });
  }
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

export function createRedmineActivities({ db, redmine, signals, publicUrl, storage }: RedmineActivityDeps) {
  async function spaceSlug(spaceId: string): Promise<string> {
    const space = await db.selectFrom('spaces').select('slug').where('id', '=', spaceId).executeTakeFirstOrThrow();
    return space.slug;
  }

  /** The conversation's issue, created once (the description carries the conversation's marker,
   * found again after a crash between creating the issue and recording it). */
  async function ensureIssue(ctx: RedmineMirrorContext, conversationId: string): Promise<number | undefined> {
    const conversation = await findConversation(db, conversationId);
    if (!conversation) return undefined;
    if (conversation.redmine_issue_id) return conversation.redmine_issue_id;
    const projectId = ctx.projectIdBySlug.get(await spaceSlug(conversation.space_id));
    if (projectId === undefined) return undefined;
    const client = await findAccountById(db, conversation.client_account_id);
    if (!client) return undefined;

    const markerRef = `conversation-${conversation.id}`;
    const marker = noteMarker(markerRef);
    const candidates = await ctx.client.listIssues({
      projectIds: [projectId],
      customField: { id: ctx.emailFieldId, value: client.email },
      updatedSince: new Date(conversation.created_at.getTime() - 60_000),
      limit: 100,
    });
    const existing = candidates.issues.find((i) => hasNoteMarker(i.description, markerRef));
    if (existing) {
      await linkConversationToIssue(db, conversation.id, existing.id, projectId);
      return existing.id;
    }
    const notes = staffNotes();
    const description = [
      neutralizeMarkers(notes.issueWrittenBy(client.full_name, client.email)),
      notes.issueConversationLink(`${publicUrl}/back-office/conversations/${conversation.id}`),
      '',
      notes.issueDescriptionIsInternal,
      '',
      marker,
    ].join('\n');
    const customFields = [{ id: ctx.emailFieldId, value: client.email }];
    if (ctx.ccFieldId !== undefined && conversation.cc)
      customFields.push({ id: ctx.ccFieldId, value: conversation.cc });
    const created = await ctx.client.createIssue({
      projectId,
      subject: neutralizeMarkers(conversation.subject),
      description,
      customFields,
    });
    await linkConversationToIssue(db, conversation.id, created.id, projectId);
    if (created.ignoredFields.some((f) => f === `cf_${ctx.emailFieldId}` || f.includes(String(ctx.emailFieldId)))) {
      await audit(db, {
        actorAccountId: null,
        actorKind: 'system',
        action: 'redmine.email_field_dropped',
        subjectType: 'conversation',
        subjectId: conversation.id,
        details: { issueId: created.id },
      });
      throw ApplicationFailure.nonRetryable(
        `Redmine dropped the client e-mail field on issue ${created.id}`,
        'EmailFieldDropped',
      );
    }
    return created.id;
  }

  /** Writes a private note once and checks that Redmine kept it private. */
  const privateNote = (ctx: RedmineMirrorContext, issueId: number, ref: string, text: string, conversationId: string) =>
    writePrivateNote(db, ctx, { issueId, ref, text, conversationId });

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
    const inserted = await db.transaction().execute(async (tx) => {
      const row = await insertMessage(tx, {
        id: messageId,
        conversationId: conversation.id,
        authorKind: 'staff',
        authorAccountId: null,
        authorDisplayName: staffDisplayName(journal.userName, ctx.staffNames, ctx.teamName),
        body,
        idempotencyKey: `redmine-journal-${journal.id}`,
        redmineJournalId: journal.id,
        createdAt: journal.createdOn,
      });
      if (!row) return undefined; // another poll got there first
      for (const detail of journal.details) {
        if (detail.property !== 'attachment' || !detail.newValue) continue;
        const attachment = attachments?.find((a) => String(a.id) === detail.name);
        if (!attachment) continue;
        await tx
          .insertInto('attachments')
          .values({
            message_id: messageId,
            file_name: attachment.filename,
            content_type: attachment.contentType ?? 'application/octet-stream',
            size_bytes: attachment.filesize,
            sha256: '',
            storage_key: `redmine:${attachment.id}`,
            redmine_attachment_id: attachment.id,
          })
          .onConflict((oc) => oc.column('redmine_attachment_id').doNothing())
          .execute();
      }
      return row;
    });
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
      const staff = await db
        .selectFrom('accounts')
        .select('email')
        .where('kind', '=', 'staff')
        .where('redmine_login', '=', user.login)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      email = staff?.email ?? (user.mail && isEmail(user.mail) ? normalizeEmail(user.mail) : null);
    }
    assignees.set(userId, { at: Date.now(), email });
    return email;
  }

  async function recordAssignee(
    ctx: RedmineMirrorContext,
    conversation: {
      id: string;
      assignee_redmine_id: number | null;
      assignee_name: string | null;
      assignee_email: string | null;
    },
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
    await db
      .updateTable('conversations')
      .set({ assignee_redmine_id: id, assignee_name: name, assignee_email: email })
      .where('id', '=', conversation.id)
      .execute();
  }

  /** Brings one issue into Guichet. Safe to run twice at once, and again and again. */
  async function syncIssue(ctx: RedmineMirrorContext, issueId: number): Promise<'mirrored' | 'skipped'> {
    const issue = await ctx.client.getIssue(issueId, { journals: true, attachments: true });
    if (!issue || !ctx.projectIds.includes(issue.projectId)) return 'skipped';
    // Staff coordinate in sub-tasks: never mirrored.
    if (issue.parentId !== undefined) return 'skipped';
    const email = emailOf(ctx, issue);

    let conversation = await findConversationByIssue(db, issue.id);
    if (!conversation) {
      const ours = conversationOfDescription(issue.description);
      if (ours) {
        // Created by Guichet, not recorded yet (a crash in between): link, never duplicate.
        const mine = await findConversation(db, ours);
        if (!mine) return 'skipped';
        await linkConversationToIssue(db, mine.id, issue.id, issue.projectId);
        conversation = { ...mine, redmine_issue_id: issue.id };
      } else {
        if (!email) return 'skipped';
        conversation = await openFromRedmine(ctx, issue, email);
        if (!conversation) return 'skipped';
      }
    }

    const client = await findAccountById(db, conversation.client_account_id);
    if (!client) return 'skipped';
    // Who may see is decided here, on every issue: the field must name this conversation's client.
    if (email !== client.email) {
      const seen = email ?? '';
      if (conversation.redmine_email_warned !== seen) {
        const text = email
          ? staffNotes().emailFieldChanged(email, client.email)
          : staffNotes().emailFieldEmptied(client.email);
        await privateNote(
          ctx,
          issue.id,
          `email-warning-${issue.id}-${Buffer.from(seen).toString('hex').slice(0, 80) || 'empty'}`,
          text,
          conversation.id,
        );
        await setEmailWarned(db, conversation.id, seen);
      }
      return 'skipped';
    }
    if (conversation.redmine_email_warned !== null) await setEmailWarned(db, conversation.id, null);
    await recordAssignee(ctx, conversation, issue.assignedTo);

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

  /** Staff opened an issue for a client in a mapped project: it appears in that client's space. */
  async function openFromRedmine(ctx: RedmineMirrorContext, issue: RedmineIssue, email: string) {
    const slug = [...ctx.projectIdBySlug].find(([, id]) => id === issue.projectId)?.[0];
    const space = slug
      ? await db.selectFrom('spaces').selectAll().where('slug', '=', slug).executeTakeFirst()
      : undefined;
    if (!space) return undefined;
    const client = await findOrCreateClient(db, email, '');
    await addClientToSpace(db, space.id, client.id);
    const id = randomUUID();
    try {
      await db.transaction().execute(async (tx) => {
        await createConversation(tx, {
          id,
          spaceId: space.id,
          clientAccountId: client.id,
          subject: issue.subject,
          cc: '',
        });
        await tx
          .updateTable('conversations')
          .set({
            redmine_issue_id: issue.id,
            redmine_project_id: issue.projectId,
            origin: 'redmine',
            created_at: issue.createdOn,
          })
          .where('id', '=', id)
          .execute();
      });
    } catch (err) {
      // Two polls at once: the unique issue id let only one of them create it.
      const other = await findConversationByIssue(db, issue.id);
      if (other) return other;
      throw err;
    }
    return findConversation(db, id);
  }

  type StoredAttachment = Awaited<ReturnType<typeof storedAttachmentsOfMessage>>[number];

  /**
   * Uploads the files of a client message for its note. A file above Redmine's size limit
   * (5120 KB by default, under the 10 MB clients may deposit) stays in Guichet: the note gets a
   * line with its back-office link instead. Tokens never attached (a crash before the note) are
   * pruned by Redmine after a day.
   */
  async function uploadFiles(ctx: RedmineMirrorContext, conversationId: string, files: StoredAttachment[]) {
    const uploads: UploadToken[] = [];
    const lines: string[] = [];
    for (const file of files) {
      const stream = await storage.get(file.storage_key);
      try {
        uploads.push(await ctx.client.upload(file.file_name, stream, file.size_bytes, file.content_type));
      } catch (err) {
        stream.destroy();
        if (!isAttachmentTooLarge(err)) throw err;
        lines.push(
          staffNotes().attachmentTooLargeForRedmine(
            file.file_name,
            file.size_bytes,
            `${publicUrl}/back-office/conversations/${conversationId}/pieces-jointes/${file.id}`,
          ),
        );
        log.info("attachment above Redmine's limit: linked from the note", {
          attachmentId: file.id,
          size: file.size_bytes,
        });
      }
    }
    return { uploads, lines };
  }

  /** Records which Redmine attachment each uploaded file became (the note's files, by name and size). */
  async function linkUploadedFiles(
    ctx: RedmineMirrorContext,
    issueId: number,
    journalId: number,
    files: StoredAttachment[],
  ): Promise<void> {
    const pending = files.filter((f) => f.redmine_attachment_id === null);
    if (pending.length === 0) return;
    const issue = await ctx.client.getIssue(issueId, { journals: true, attachments: true });
    const journal = issue?.journals?.find((j) => j.id === journalId);
    const ids = new Set(
      (journal?.details ?? []).filter((d) => d.property === 'attachment' && d.newValue !== null).map((d) => d.name),
    );
    const candidates = (issue?.attachments ?? []).filter((a) => ids.has(String(a.id))).sort((a, b) => a.id - b.id);
    for (const file of pending) {
      const index = candidates.findIndex(
        (a) => a.filename === sanitizeFilename(file.file_name) && a.filesize === file.size_bytes,
      );
      if (index < 0) continue; // too large for Redmine: linked from the note instead
      const [attachment] = candidates.splice(index, 1);
      if (attachment) await setRedmineAttachmentId(db, file.id, attachment.id);
    }
  }

  /** Not mirrored (no Redmine, or a space without a project): the message waits for nothing. */
  async function notMirrored(ref: MessageRef) {
    await db
      .updateTable('messages')
      .set({ redmine_delivery: null })
      .where('id', '=', ref.messageId)
      .where('redmine_delivery', '=', 'pending')
      .execute();
    return { mirrored: false };
  }

  return {
    /** Whether a client message has somewhere to go; without Redmine it is settled at once. */
    async needsMirror(ref: MessageRef): Promise<boolean> {
      if (redmine) return true;
      await notMirrored(ref);
      return false;
    },

    /** Posts a client message on the conversation's issue (created on the first one). */
    async mirrorClientMessage(ref: MessageRef): Promise<{ mirrored: boolean; issueId?: number }> {
      if (!redmine) return notMirrored(ref);
      const message = await findMessage(db, ref.messageId);
      if (!message) throw missingMessage(ref);
      const issueId = await ensureIssue(redmine, ref.conversationId);
      if (issueId === undefined) return notMirrored(ref);
      if (message.redmine_delivery !== 'delivered') {
        const noteRef = `message-${message.id}`;
        const files = await storedAttachmentsOfMessage(db, message.id);
        let prepared: Awaited<ReturnType<typeof uploadFiles>> = { uploads: [], lines: [] };
        if (files.length > 0) {
          // A retry after the note was written uploads nothing again.
          const issue = await redmine.client.getIssue(issueId, { journals: true });
          if (!findNoteByMarker(issue?.journals ?? [], noteRef))
            prepared = await uploadFiles(redmine, ref.conversationId, files);
        }
        const note = [
          message.body,
          ...(prepared.lines.length > 0 ? ['', ...prepared.lines] : []),
          '',
          staffNotes().clientMessageSignature(message.author_display_name),
        ].join('\n');
        const result = await redmine.client.addNoteOnce(issueId, noteRef, {
          notes: note,
          ...(prepared.uploads.length > 0 ? { uploads: prepared.uploads } : {}),
        });
        if (files.length > 0) await linkUploadedFiles(redmine, issueId, result.journalId, files);
        await markMessageDelivered(db, message.id, result.journalId);
      }
      return { mirrored: true, issueId };
    },

    /** Posts a back-office answer on the issue, signed with the staff member's name. */
    async mirrorStaffAnswer(ref: MessageRef): Promise<{ mirrored: boolean }> {
      if (!redmine) return { mirrored: false };
      const message = await findMessage(db, ref.messageId);
      if (!message) throw missingMessage(ref);
      if (message.redmine_journal_id !== null) return { mirrored: true };
      const issueId = await ensureIssue(redmine, ref.conversationId);
      if (issueId === undefined) return { mirrored: false };
      const author = message.author_account_id ? await findAccountById(db, message.author_account_id) : undefined;
      const noteRef = `message-${message.id}`;
      // In the staff member's own name where Redmine allows it (an administrator's key and a
      // known login); otherwise as the integration user, signed with their name.
      if (redmine.adminKey && author?.redmine_login) {
        try {
          const result = await redmine.client.addNoteOnce(
            issueId,
            noteRef,
            { notes: message.body },
            { switchUser: author.redmine_login },
          );
          await markMessageDelivered(db, message.id, result.journalId);
          return { mirrored: true };
        } catch (err) {
          if (!isSwitchUserError(err)) throw err;
          log.warn('Redmine refused to switch user: posting as the integration user', { login: author.redmine_login });
        }
      }
      const result = await redmine.client.addNoteOnce(issueId, noteRef, {
        notes: `${message.body}\n\n— ${message.author_display_name}`,
      });
      await markMessageDelivered(db, message.id, result.journalId);
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
      await privateNote(redmine, conversation.redmine_issue_id, input.ref, text, conversation.id);
      return { written: true };
    },

    /**
     * Polls Redmine for a while (heartbeating its cursor), mirroring changed issues within
     * seconds and re-reading live conversations now and then: a note edited or made private
     * does not change `updated_on`, so no poll on it would ever see that.
     */
    async syncRedmine(input: SyncState & { runForMs: number; pollMs: number; rescanMs: number }): Promise<SyncState> {
      if (!redmine) return input;
      const context = Context.current();
      const resumed = (context.info.heartbeatDetails as SyncState | undefined) ?? input;
      let cursor = resumed.cursor ? new Date(resumed.cursor) : new Date(Date.now() - 24 * 3600_000);
      let lastRescan = resumed.lastRescanAt ? new Date(resumed.lastRescanAt) : new Date(0);
      const until = Date.now() + input.runForMs;
      // Redmine's `>=` is a second lenient, so the newest issue comes back on every poll: an
      // issue already read at this very `updated_on` is not read again, provided that read came
      // well after it (timestamps are whole seconds: a note in the same second would hide).
      const readAt = new Map<number, { updatedOn: number; readAt: number }>();
      while (Date.now() < until) {
        const changed = await redmine.client.listIssuesUpdatedSince(
          new Date(cursor.getTime() - 1000),
          redmine.projectIds,
        );
        for (const issue of changed) {
          const seen = readAt.get(issue.id);
          if (seen && seen.updatedOn === issue.updatedOn.getTime() && seen.readAt - seen.updatedOn > 2000) continue;
          const readTime = Date.now();
          await syncIssue(redmine, issue.id);
          readAt.set(issue.id, { updatedOn: issue.updatedOn.getTime(), readAt: readTime });
          if (issue.updatedOn > cursor) cursor = issue.updatedOn;
          context.heartbeat({ cursor: cursor.toISOString(), lastRescanAt: lastRescan.toISOString() });
        }
        if (Date.now() - lastRescan.getTime() >= input.rescanMs) {
          for (const issueId of await liveMirroredIssueIds(db)) {
            await syncIssue(redmine, issueId);
            context.heartbeat({ cursor: cursor.toISOString(), lastRescanAt: lastRescan.toISOString() });
          }
          lastRescan = new Date();
        }
        context.heartbeat({ cursor: cursor.toISOString(), lastRescanAt: lastRescan.toISOString() });
        await context.sleep(input.pollMs);
      }
      return { cursor: cursor.toISOString(), lastRescanAt: lastRescan.toISOString() };
    },
  };
}
