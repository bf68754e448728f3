// The conversation's issue, created once: the description carries the conversation's marker, so
// that an issue created just before a crash is found again instead of created twice. A
// conversation staff opened (the integration API) has its first message as the description.
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
import { claimIssueCreation, linkConversationToIssue, releaseIssueCreation, spaceSlugOf } from '../../db/redmine.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { hasNoteMarker, neutralizeMarkers, noteMarker } from '../../connectors/redmine/notes.js';
import { staffNotes } from '../../i18n/notes/index.js';
import { escapeForRedmine, type RedmineTextFormatting } from '../../domain/redmine-text.js';
import type { RedmineActivityDeps } from './deps.js';

/** The description of a conversation's issue: who wrote, where to find it, and the marker last. */
function issueDescription(
  client: { full_name: string; email: string },
  conversationUrl: string,
  marker: string,
  formatting: RedmineTextFormatting,
): string {
  const notes = staffNotes();
  // The name and address are the client's own text: escaped for Redmine's formatter, as typed.
  // Markers first (a forged one becomes harmless text), then the formatter's escaping.
  const typed = (text: string) => escapeForRedmine(neutralizeMarkers(text), formatting, { inline: true });
  return [
    neutralizeMarkers(notes.issueWrittenBy(typed(client.full_name), typed(client.email))),
    notes.issueConversationLink(conversationUrl),
    '',
    notes.issueDescriptionIsInternal,
    '',
    marker,
  ].join('\n');
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
  ): Promise<number | undefined> {
    const conversation = await findConversation(db, conversationId);
    if (!conversation) return undefined;
    if (conversation.redmine_issue_id) return conversation.redmine_issue_id;
    const slug = await spaceSlugOf(db, conversation.space_id);
    if (slug === undefined) throw new Error(`space ${conversation.space_id} not found`);
    const projectId = ctx.projectIdBySlug.get(slug);
    if (projectId === undefined) return undefined;
    const client = await findAccountById(db, conversation.client_account_id);
    if (!client) return undefined;

    const markerRef = `conversation-${conversation.id}`;
    // A creation was sent before (by another step, or an attempt nobody told this one about).
    if (conversation.redmine_issue_requested_at !== null) lookFirst = true;
    if (lookFirst) {
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
    }
    const url = `${publicUrl}/back-office/conversations/${conversation.id}`;
    const formatting = ctx.textFormatting ?? 'textile';
    // Opened by staff (the integration API): their first message is the description.
    const [first] = await listMessages(db, conversation.id);
    const description =
      first?.author_kind === 'staff' && first.plain_text
        ? openedByStaffDescription(
            { staffName: first.author_display_name, body: first.body },
            client,
            url,
            noteMarker(markerRef),
            formatting,
          )
        : issueDescription(client, url, noteMarker(markerRef), formatting);
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

  return { ensureIssue };
}

export type IssueSteps = ReturnType<typeof createIssueSteps>;
