// Processing a request's notification in Vilogi ("Espace client"), once, after Guichet has it
// where staff work: the conversation's issue (its description holds the request's origin; an
// issue created before that change gets a private note of it) or the triage issue; Vilogi's write
// carries our reference. A page of requests is read in two queries and processed a few at a time
// (VILOGI_IMPORT_CONCURRENCY).
import { Context } from '@temporalio/activity';
import type { VilogiRequestRow } from '../../db/database.js';
import { conversationIssues, findVilogiRequests, markOriginNoteTried, setVilogiProcessed } from '../../db/vilogi.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { withNoteMarker } from '../../connectors/redmine/notes.js';
import { VILOGI_EVENT_MODEL } from '../../connectors/vilogi/index.js';
import { staffNotes } from '../../i18n/notes/index.js';
import { writePrivateNote } from '../redmine.js';
import {
  mapLimit,
  message,
  type ProcessOutcome,
  type ProcessResultItem,
  type VilogiActivityDeps,
  type VilogiSettings,
} from './deps.js';
import { originLines } from './origin.js';

type ConversationIssues = Awaited<ReturnType<typeof conversationIssues>>;

/** Whether Redmine keeps the origin notes private, per project (the permission is a role's in a
 * project), learnt from the page's first note there. */
type PrivacyCheck = Map<string, Promise<boolean>>;

export function createProcessSteps(
  { db, redmine }: Pick<VilogiActivityDeps, 'db' | 'redmine'>,
  settings: () => VilogiSettings,
) {
  /**
   * The request's origin note, a private note written once. The first try of a request is one
   * Redmine call (the note, its marker in it): it is recorded as tried first, so that only a retry
   * after a crash looks the note up by its marker (writePrivateNote). That Redmine kept the notes
   * private (it silently publishes those of a user without "set notes private") is checked on
   * the page's first note, written once and read back; the page's others wait for that answer,
   * and when it is no, each goes through writePrivateNote, which reports it.
   */
  async function writeOriginNote(
    ctx: RedmineMirrorContext,
    row: VilogiRequestRow,
    conversation: { id: string; issueId: number; project: string },
    privacy: PrivacyCheck,
  ): Promise<void> {
    const note = {
      issueId: conversation.issueId,
      ref: `vilogi-origin-${row.vilogi_id}`,
      text: [
        ...originLines({ ...row, filedAt: row.filed_at, authorName: row.author_name, authorEmail: row.author_email }),
        staffNotes().vilogiNotificationProcessed(VILOGI_EVENT_MODEL),
      ].join('\n'),
      conversationId: conversation.id,
    };
    if (row.origin_note_at !== null) {
      await writePrivateNote(db, ctx, note);
      return;
    }
    const verified = privacy.get(conversation.project);
    if (verified === undefined) {
      // The page's first note in this project: written and read back; the others wait for the answer.
      let settle!: (kept: boolean) => void;
      privacy.set(conversation.project, new Promise<boolean>((resolve) => (settle = resolve)));
      try {
        await markOriginNoteTried(db, row.vilogi_id);
        const written = await ctx.client.addNoteOnce(note.issueId, note.ref, { notes: note.text, privateNotes: true });
        // Published: writePrivateNote finds it by its marker and reports it, as for any note.
        if (!written.privateNotes) await writePrivateNote(db, ctx, note);
        settle(written.privateNotes);
      } catch (err) {
        // Not known: the next note of the page asks again.
        privacy.delete(conversation.project);
        settle(false);
        throw err;
      }
      return;
    }
    if (!(await verified)) {
      await writePrivateNote(db, ctx, note);
      return;
    }
    await markOriginNoteTried(db, row.vilogi_id);
    await ctx.client.addNote(note.issueId, { notes: withNoteMarker(note.text, note.ref), privateNotes: true });
  }

  /** Vilogi's reference and comment for a conversation's request; undefined while it waits for
   * its issue. */
  async function conversationOutcome(
    row: VilogiRequestRow,
    conversations: ConversationIssues,
    privacy: PrivacyCheck,
  ): Promise<{ reference: string; comment: string } | undefined> {
    const conversation = row.conversation_id ? conversations.get(row.conversation_id) : undefined;
    if (!conversation) throw new Error('its conversation is gone');
    const mapped = redmine?.projectIdBySlug.has(conversation.space_slug) === true;
    // The seed's order: the message is in Redmine, then the notification is processed.
    if (mapped && conversation.redmine_issue_id === null) return undefined;
    if (redmine && conversation.redmine_issue_id !== null) {
      // The issue was created with the origin in its description (issue #18): no note of it.
      if (!conversation.origin_in_issue)
        await writeOriginNote(
          redmine,
          row,
          { id: conversation.id, issueId: conversation.redmine_issue_id, project: conversation.space_slug },
          privacy,
        );
      return {
        reference: `redmine-issue-${conversation.redmine_issue_id}`,
        comment: staffNotes().vilogiSentToRedmine(conversation.redmine_issue_id),
      };
    }
    return { reference: `guichet-conversation-${conversation.id}`, comment: staffNotes().vilogiSentToClientSpace };
  }

  async function processOne(
    id: string,
    row: VilogiRequestRow | undefined,
    conversations: ConversationIssues,
    privacy: PrivacyCheck,
  ): Promise<ProcessOutcome> {
    if (!row) throw new Error('not imported yet');
    if (row.processed_at !== null) return 'already';
    let outcome: { reference: string; comment: string } | undefined;
    if (row.kind === 'conversation') {
      outcome = await conversationOutcome(row, conversations, privacy);
      if (!outcome) return 'waiting';
    } else {
      if (redmine && settings().triageProjectId !== undefined && row.redmine_issue_id === null) return 'waiting';
      outcome = {
        reference:
          row.redmine_issue_id !== null ? `redmine-issue-${row.redmine_issue_id}` : `guichet-triage-${row.vilogi_id}`,
        comment:
          row.redmine_issue_id !== null
            ? staffNotes().vilogiTriageInRedmine(row.redmine_issue_id)
            : staffNotes().vilogiTriageInGuichet,
      };
    }
    const result = await settings().client.markProcessed(id, { eventModel: VILOGI_EVENT_MODEL, ...outcome });
    await setVilogiProcessed(db, id, result.eventId, result.processedAt);
    return 'processed';
  }

  /** Processes the notifications of a page of requests, `concurrency` at a time: the rows and
   * their conversations' issues in two queries, then each request's own writes. A request that
   * fails is reported, not thrown, so the others go on. */
  async function processMany(ids: readonly string[], concurrency: number): Promise<ProcessResultItem[]> {
    const rows = await findVilogiRequests(db, ids);
    const privacy: PrivacyCheck = new Map();
    const conversations = await conversationIssues(
      db,
      [...rows.values()].flatMap((r) => (r.kind === 'conversation' && r.conversation_id ? [r.conversation_id] : [])),
    );
    return mapLimit(
      ids,
      concurrency,
      async (id): Promise<ProcessResultItem> => {
        try {
          return { id, outcome: await processOne(id, rows.get(id), conversations, privacy) };
        } catch (err) {
          return { id, outcome: 'failed', error: message(err) };
        }
      },
      (done) => Context.current().heartbeat(done),
    );
  }

  return { processMany };
}
