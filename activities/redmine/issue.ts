// The conversation's issue, created once: the description carries the conversation's marker, so
// that an issue created just before a crash is found again instead of created twice. A
// conversation staff opened (the integration API) has its first message as the description. What
// is known when the issue is created goes into its description rather than into private notes
// after it (issue #18: each note is one PUT and one read): the acknowledgement the client was sent
// and, for a Vilogi request, where the request came from.
//
// A creation whose answer never came (a timeout, a worker killed mid-call) may still be carried
// out by Redmine afterwards: Redmine finishes a request it queued even when the client is gone.
// So the POST is marked in the database before it is sent (`claimIssueCreation`), and a later
// attempt that finds no issue while that mark is younger than the settle time waits (a retry
// after the rest of it) and searches again, rather than create a second issue. A failure that
// ends the request (Redmine's answer, a refused or closed connection) clears the mark: a search
// then sees whatever the request did, and the next attempt need not wait.
import { ApplicationFailure } from '@temporalio/activity';
import { ConnectorError } from '../../connectors/errors.js';
import { findAccountById } from '../../db/accounts.js';
import { audit } from '../../db/audit.js';
import { findConversation, listMessages } from '../../db/conversations.js';
import type { Db } from '../../db/connect.js';
import type { Message, VilogiRequestRow } from '../../db/database.js';
import { claimIssueCreation, linkConversationToIssue, releaseIssueCreation, spaceSlugOf } from '../../db/redmine.js';
import { markOriginInIssue, vilogiRequestOfConversation } from '../../db/vilogi.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { hasNoteMarker, neutralizeMarkers, noteMarker } from '../../connectors/redmine/notes.js';
import { formatDateTime } from '../../i18n/index.js';
import { STAFF_NOTES_LOCALE, staffNotes } from '../../i18n/notes/index.js';
import { VILOGI_EVENT_MODEL } from '../../connectors/vilogi/index.js';
import { escapeForRedmine, type RedmineTextFormatting } from '../../domain/redmine-text.js';
import { originLines } from '../vilogi/origin.js';
import type { RedmineActivityDeps } from './deps.js';

/** The issue of a conversation, and whether its description holds the acknowledgement (then no
 * private note of it is written after). */
export interface ConversationIssue {
  id: number;
  acknowledged: boolean;
}

/** What the description says beyond who wrote: lines each found again in an issue's description
 * (a retry's search) to tell what it holds. */
interface DescriptionFacts {
  /** The acknowledgement line, when the client was sent one before the issue was created. */
  acknowledgement?: string | undefined;
  /** The Vilogi request's origin, when the conversation was imported from one. */
  origin?: { request: VilogiRequestRow; lines: string[] } | undefined;
}

/** The description of a conversation's issue: who wrote, where to find it, the acknowledgement
 * and the Vilogi origin when there are, and the marker last. */
function issueDescription(
  client: { full_name: string; email: string },
  conversationUrl: string,
  marker: string,
  formatting: RedmineTextFormatting,
  facts: DescriptionFacts,
): string {
  const notes = staffNotes();
  // The name and address are the client's own text: escaped for Redmine's formatter, as typed.
  // Markers first (a forged one becomes harmless text), then the formatter's escaping.
  const typed = (text: string) => escapeForRedmine(neutralizeMarkers(text), formatting, { inline: true });
  return [
    neutralizeMarkers(notes.issueWrittenBy(typed(client.full_name), typed(client.email))),
    notes.issueConversationLink(conversationUrl),
    ...(facts.acknowledgement ? [facts.acknowledgement] : []),
    ...(facts.origin ? ['', ...facts.origin.lines] : []),
    '',
    notes.issueDescriptionIsInternal,
    '',
    marker,
  ].join('\n');
}

/** The facts of a conversation's description, computed the same way on every attempt (from rows
 * that do not change), so that a retry can tell them in the issue an earlier attempt created. A
 * conversation staff opened has none (its description is their first message). */
async function descriptionFacts(
  db: Db,
  conversationId: string,
  messages: readonly Message[],
  formatting: RedmineTextFormatting,
): Promise<DescriptionFacts> {
  const [first] = messages;
  if (first?.author_kind === 'staff' && first.plain_text) return {};
  const request = await vilogiRequestOfConversation(db, conversationId);
  const notes = staffNotes();
  const ack = messages.find((m) => m.kind === 'acknowledgement');
  // Vilogi's fields are the author's own text: markers neutralised, escaped for the formatter.
  const typed = (text: string) => escapeForRedmine(neutralizeMarkers(text), formatting, { inline: true });
  const optional = (text: string | null) => (text === null ? null : typed(text));
  return {
    acknowledgement: ack ? notes.acknowledgementSentAt(formatDateTime(ack.created_at, STAFF_NOTES_LOCALE)) : undefined,
    origin: request
      ? {
          request,
          lines: [
            ...originLines({
              id: typed(request.vilogi_id),
              service: typed(request.service),
              building: optional(request.building),
              lot: optional(request.lot),
              filedAt: request.filed_at,
              authorName: typed(request.author_name),
              authorEmail: optional(request.author_email),
            }),
            notes.vilogiNotificationToProcess(VILOGI_EVENT_MODEL),
          ],
        }
      : undefined,
  };
}

/** Links the conversation to its issue and, when the issue's description holds the Vilogi
 * request's origin, records that in the same transaction; tells whether the description holds the
 * acknowledgement. */
async function linkIssue(
  db: Db,
  link: { conversationId: string; issueId: number; projectId: number },
  description: string,
  facts: DescriptionFacts,
): Promise<ConversationIssue> {
  const origin = facts.origin && description.includes(facts.origin.lines[0]!) ? facts.origin.request : undefined;
  await db.transaction().execute(async (tx) => {
    await linkConversationToIssue(tx, link.conversationId, link.issueId, link.projectId);
    if (origin) await markOriginInIssue(tx, origin.vilogi_id);
  });
  return {
    id: link.issueId,
    acknowledged: facts.acknowledgement !== undefined && description.includes(facts.acknowledgement),
  };
}

/** The description of an issue staff opened for a client: who opened it with whom, where to find
 * it, the first message as typed (escaped for Redmine's formatter), and the marker last. */
function openedByStaffDescription(
  opening: { staffName: string; body: string },
  client: { full_name: string; email: string },
  conversationUrl: string,
  marker: string,
  formatting: RedmineTextFormatting,
): string {
  const notes = staffNotes();
  const typed = (text: string) => escapeForRedmine(neutralizeMarkers(text), formatting, { inline: true });
  return [
    neutralizeMarkers(notes.issueOpenedByStaff(typed(opening.staffName), typed(client.full_name), typed(client.email))),
    notes.issueConversationLink(conversationUrl),
    '',
    escapeForRedmine(neutralizeMarkers(opening.body), formatting),
    '',
    notes.issueOpenedByStaffEnd,
    '',
    marker,
  ].join('\n');
}

/**
 * How long a creation whose outcome is unknown may still be carried out by Redmine: well past the
 * client's write timeout (60 s), the longest a request waits in Redmine's queue once sent.
 */
export const ISSUE_CREATION_SETTLE_MS = 3 * 60_000;

/** A gateway's answer that Redmine behind it may still be working on. */
const GATEWAY_STATUSES = new Set([502, 503, 504]);

/**
 * Whether a failed creation may still be carried out by Redmine: Guichet stopped waiting (its
 * timeout) or a gateway in front of Redmine did. Any other failure (Redmine's own answer, a
 * connection refused or closed) ends the request, and a search afterwards sees what it did.
 */
function mayStillBeCarriedOut(err: unknown): boolean {
  if (!(err instanceof ConnectorError)) return false;
  return err.code === 'timeout' || (err.status !== undefined && GATEWAY_STATUSES.has(err.status));
}

export function createIssueSteps({
  db,
  publicUrl,
  creationSettleMs = ISSUE_CREATION_SETTLE_MS,
}: Pick<RedmineActivityDeps, 'db' | 'publicUrl'> & { creationSettleMs?: number }) {
  /**
   * The conversation's issue, created once: one POST with everything in it (subject,
   * description, the e-mail and copy fields). The description carries the conversation's marker,
   * found again by a search when `lookFirst`: the caller passes false only on the first attempt of
   * a step of the conversation workflow, the one place that creates a conversation's issue, one
   * step at a time; an earlier step always recorded the issue it created before ending (it retries
   * until it does), so before that first attempt no issue of this conversation can exist unrecorded.
   */
  async function ensureIssue(
    ctx: RedmineMirrorContext,
    conversationId: string,
    lookFirst = true,
  ): Promise<ConversationIssue | undefined> {
    const conversation = await findConversation(db, conversationId);
    if (!conversation) return undefined;
    // Created earlier: what its description holds is not known here, the notes go as before.
    if (conversation.redmine_issue_id) return { id: conversation.redmine_issue_id, acknowledged: false };
    const slug = await spaceSlugOf(db, conversation.space_id);
    if (slug === undefined) throw new Error(`space ${conversation.space_id} not found`);
    const projectId = ctx.projectIdBySlug.get(slug);
    if (projectId === undefined) return undefined;
    const client = await findAccountById(db, conversation.client_account_id);
    if (!client) return undefined;

    const markerRef = `conversation-${conversation.id}`;
    // A creation was sent before (by another step, or an attempt nobody told this one about).
    if (conversation.redmine_issue_requested_at !== null) lookFirst = true;
    const formatting = ctx.textFormatting ?? 'textile';
    const messages = await listMessages(db, conversation.id);
    // Known before the search: an issue found again tells which of them its description holds.
    const facts = await descriptionFacts(db, conversation.id, messages, formatting);
    const link = { conversationId: conversation.id, projectId };
    if (lookFirst) {
      const candidates = await ctx.client.listIssues({
        projectIds: [projectId],
        customField: { id: ctx.emailFieldId, value: client.email },
        updatedSince: new Date(conversation.created_at.getTime() - 60_000),
        limit: 100,
      });
      const existing = candidates.issues.find((i) => hasNoteMarker(i.description, markerRef));
      if (existing) return linkIssue(db, { ...link, issueId: existing.id }, existing.description, facts);
    }
    const url = `${publicUrl}/back-office/conversations/${conversation.id}`;
    // Opened by staff (the integration API): their first message is the description.
    const [first] = messages;
    const description =
      first?.author_kind === 'staff' && first.plain_text
        ? openedByStaffDescription(
            { staffName: first.author_display_name, body: first.body },
            client,
            url,
            noteMarker(markerRef),
            formatting,
          )
        : issueDescription(client, url, noteMarker(markerRef), formatting, facts);
    const customFields = [{ id: ctx.emailFieldId, value: client.email }];
    if (ctx.ccFieldId !== undefined && conversation.cc)
      customFields.push({ id: ctx.ccFieldId, value: conversation.cc });
    const claim = await claimIssueCreation(db, conversation.id, creationSettleMs);
    if (!claim.claimed) {
      throw ApplicationFailure.create({
        message: `an earlier creation of the issue of conversation ${conversation.id} may still be carried out by Redmine`,
        type: 'IssueCreationUnsettled',
        nextRetryDelay: claim.waitMs,
      });
    }
    let created: Awaited<ReturnType<typeof ctx.client.createIssue>>;
    try {
      created = await ctx.client.createIssue({
        projectId,
        subject: neutralizeMarkers(conversation.subject),
        description,
        customFields,
      });
    } catch (err) {
      if (!mayStillBeCarriedOut(err)) await releaseIssueCreation(db, conversation.id);
      throw err;
    }
    const issue = await linkIssue(db, { ...link, issueId: created.id }, description, facts);
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
    return issue;
  }

  return { ensureIssue };
}

export type IssueSteps = ReturnType<typeof createIssueSteps>;
