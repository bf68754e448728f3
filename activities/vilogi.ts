// The Vilogi sync, step by step, each step safe to repeat: the Vilogi request id is the
// idempotency key (a unique row claimed in the same transaction as the conversation it creates),
// the conversation's issue is the existing mirror's (conversationWorkflow), the triage issue is
// found again by its marker, and Vilogi's two writes carry our reference.
import { Context } from '@temporalio/activity';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.js';
import type { VilogiRunError } from '../db/database.js';
import { addClientToSpace, findOrCreateClient, normalizeEmail } from '../db/accounts.js';
import { findConversation, type NewAttachment } from '../db/conversations.js';
import {
  claimVilogiRequest,
  findVilogiRequest,
  finishRun,
  liveTriageIssues,
  unpostedExchange,
  lockVilogiRequest,
  postedReplies,
  recordReply,
  setVilogiIssue,
  setVilogiProcessed,
  startRun,
  type RunCounts,
} from '../db/vilogi.js';
import type { RedmineMirrorContext } from '../connectors/redmine/mirror-context.js';
import {
  hasNoteMarker,
  neutralizeMarkers,
  noteMarker,
  noteMarkerRefs,
  stripNoteMarkers,
} from '../connectors/redmine/notes.js';
import { isAttachmentTooLarge } from '../connectors/redmine/errors.js';
import type { UploadToken } from '../connectors/redmine/types.js';
import type { FileStorage } from '../app/file-storage.js';
import { VILOGI_EVENT_MODEL, type VilogiClient, type VilogiRequest } from '../connectors/vilogi/index.js';
import { MAX_FILE_BYTES, checkName, type FileRefusal } from '../domain/files.js';
import { inspectFile, isRefusal, readLimited, type InspectedFile } from '../app/inspection/index.js';
import { isEmail } from '../domain/validation.js';
import { writeConversation } from '../app/conversations.js';
import type { WorkflowGateway } from '../app/workflow-gateway.js';
import { formatDateTime } from '../i18n/index.js';
import { STAFF_NOTES_LOCALE, staffNotes } from '../i18n/notes/index.js';
import { writePrivateNote } from './redmine.js';

export interface VilogiSettings {
  client: VilogiClient;
  /** Vilogi service (lower case) → Redmine project identifier; `*` for any other service. */
  services: Map<string, string>;
  /** Space slug → Redmine project identifier (REDMINE_PROJECTS): a project's space gets the conversation. */
  redmineProjects: Map<string, string>;
  /** Where requests without a usable e-mail go (resolved at start-up; none without Redmine). */
  triageProjectId: number | undefined;
  /** Signals the conversation workflow that mirrors the new conversation to Redmine. */
  conversations: Pick<WorkflowGateway, 'clientMessage'>;
}

export interface VilogiActivityDeps {
  db: Db;
  redmine: RedmineMirrorContext | undefined;
  storage: FileStorage;
  publicUrl: string;
  vilogi?: VilogiSettings | undefined;
}

export type ImportOutcome = 'created' | 'known' | 'triage' | 'failed';
export type ProcessOutcome = 'processed' | 'already' | 'waiting' | 'failed';

export interface ImportResult {
  id: string;
  outcome: ImportOutcome;
  error?: string;
}

export interface ProcessResultItem {
  id: string;
  outcome: ProcessOutcome;
  error?: string;
}

/** Why a Vilogi file was not taken, as staff read it in the message or the triage issue. */
function refusalText(reason: FileRefusal['reason']): string {
  return staffNotes().vilogiRefusal[reason];
}

/** Requests listed per run at most; the rest wait for the next run. */
const MAX_PER_RUN = 5000;
/** How long after its import a request's exchange still goes back to Vilogi. */
const REPLY_WINDOW_DAYS = 60;
/** Messages posted back per run at most; the rest wait for the next run. */
const EXCHANGE_BATCH = 2000;

function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}

/** What staff read about the request's origin (a private note, or the triage issue's description). */
function originLines(r: {
  vilogi_id?: string;
  id?: string;
  service: string;
  building: string | null;
  lot: string | null;
  filedAt: Date;
  authorName: string;
  authorEmail: string | null;
}): string[] {
  return staffNotes().vilogiOrigin({
    id: r.vilogi_id ?? r.id ?? '',
    filedAt: formatDateTime(r.filedAt, STAFF_NOTES_LOCALE),
    authorName: r.authorName,
    authorEmail: r.authorEmail,
    service: r.service,
    building: r.building,
    lot: r.lot,
  });
}

export function createVilogiActivities({ db, redmine, storage, vilogi }: VilogiActivityDeps) {
  function settings(): VilogiSettings {
    if (!vilogi) throw new Error('Vilogi is not configured (VILOGI_URL)');
    return vilogi;
  }

  async function spaceFor(service: string): Promise<{ id: string } | undefined> {
    const s = settings();
    const target = s.services.get(service.trim().toLowerCase()) ?? s.services.get('*');
    if (!target) return undefined;
    const slugs = [...s.redmineProjects].filter(([, project]) => project === target).map(([slug]) => slug);
    // Without Redmine the target may name a space directly.
    const candidates = slugs.length > 0 ? slugs : [target];
    const space = await db
      .selectFrom('spaces')
      .select(['id', 'slug'])
      .where('slug', 'in', candidates)
      .executeTakeFirst();
    if (space) return { id: space.id };
    // No mirror at all (the demo without Redmine): the first space takes every request.
    if (!redmine) return db.selectFrom('spaces').select('id').orderBy('created_at').limit(1).executeTakeFirst();
    return undefined;
  }

  /** Downloads one of the request's files and passes it through the one inspection. */
  async function inspectAttachment(
    request: VilogiRequest,
    a: VilogiRequest['attachments'][number],
  ): Promise<InspectedFile | FileRefusal> {
    const checked = checkName(a.fileName);
    if ('reason' in checked) return checked;
    // The gateway's stated size spares a download; the bytes are counted anyway.
    if (a.size > MAX_FILE_BYTES) return { reason: 'too_large', name: checked.name };
    const bytes = await readLimited(await settings().client.downloadAttachment(request.id, a.id));
    // A download cut short is a passing fault (retried), not a file to refuse for good.
    if (bytes.length !== a.size)
      throw new Error(`the download of ${a.id} gave ${bytes.length} bytes, Vilogi states ${a.size}`);
    return inspectFile(a.fileName, bytes);
  }

  /** Downloads the request's files into storage, each through the one inspection. Refused
   * files are named in the returned lines, with the reason; nothing of theirs is kept. */
  async function storeAttachments(request: VilogiRequest): Promise<{ files: NewAttachment[]; refused: string[] }> {
    const files: NewAttachment[] = [];
    const refused: string[] = [];
    try {
      for (const a of request.attachments) {
        const inspected = await inspectAttachment(request, a);
        if (isRefusal(inspected)) {
          refused.push(`${inspected.name} (${refusalText(inspected.reason)})`);
          continue;
        }
        const stored = await storage.put(inspected);
        files.push({
          fileName: inspected.name,
          contentType: inspected.contentType,
          sizeBytes: stored.sizeBytes,
          sha256: stored.sha256,
          storageKey: stored.key,
        });
      }
    } catch (err) {
      await Promise.all(files.map((f) => storage.delete(f.storageKey)));
      throw err;
    }
    return { files, refused };
  }

  async function importConversation(runId: string, request: VilogiRequest, email: string): Promise<ImportOutcome> {
    const space = await spaceFor(request.service);
    if (!space)
      throw new Error(`no space for the Vilogi service "${request.service}" (VILOGI_SERVICES and REDMINE_PROJECTS)`);
    const { files, refused } = await storeAttachments(request);
    const ids = { conversationId: randomUUID(), messageId: randomUUID() };
    const body = [
      request.body.trim() || request.subject,
      ...(refused.length > 0 ? ['', ...refused.map((r) => staffNotes().vilogiFileNotTakenInMessage(r))] : []),
    ].join('\n');
    let created = false;
    try {
      created = await db.transaction().execute(async (tx) => {
        const claimed = await claimVilogiRequest(tx, {
          vilogiId: request.id,
          kind: 'conversation',
          runId,
          service: request.service,
          authorEmail: email,
          authorName: request.authorName,
          building: request.building,
          lot: request.lot,
          subject: request.subject,
          filedAt: request.filedAt,
          spaceId: space.id,
          // Linked once the conversation exists (a foreign key), in this same transaction.
          conversationId: null,
        });
        if (!claimed) return false;
        const account = await findOrCreateClient(tx, email, request.authorName);
        await addClientToSpace(tx, space.id, account.id);
        await writeConversation(
          tx,
          settings().conversations,
          { account, ip: null },
          {
            spaceId: space.id,
            subject: request.subject.slice(0, 200) || staffNotes().noSubject,
            body,
            cc: '',
            attachments: files,
          },
          ids,
        );
        await tx
          .updateTable('vilogi_requests')
          .set({ conversation_id: ids.conversationId })
          .where('vilogi_id', '=', request.id)
          .execute();
        return true;
      });
    } finally {
      if (!created) await Promise.all(files.map((f) => storage.delete(f.storageKey)));
    }
    return created ? 'created' : 'known';
  }

  /** The triage issue of a request, created once: row-locked, and found again by its marker
   * after a crash between creating it and recording it. */
  async function ensureTriageIssue(request: VilogiRequest): Promise<void> {
    const ctx = redmine;
    const projectId = settings().triageProjectId;
    if (!ctx || projectId === undefined) return;
    await db.transaction().execute(async (tx) => {
      const row = await lockVilogiRequest(tx, request.id);
      if (!row || row.redmine_issue_id !== null) return;
      const markerRef = `vilogi-${request.id}`;
      const marker = noteMarker(markerRef);
      const candidates = await ctx.client.listIssues({
        projectIds: [projectId],
        updatedSince: new Date(row.imported_at.getTime() - 60_000),
        limit: 100,
      });
      // The marker the description ends with: the request's own text above it cannot pass for it.
      const found = candidates.issues.find((i) => hasNoteMarker(i.description, markerRef));
      let issueId = found?.id;
      if (issueId === undefined) {
        const uploads: UploadToken[] = [];
        const lines: string[] = [];
        for (const a of request.attachments) {
          // The one inspection holds here too: staff open these files.
          const inspected = await inspectAttachment(request, a);
          if (isRefusal(inspected)) {
            lines.push(staffNotes().vilogiFileNotTaken(inspected.name, refusalText(inspected.reason)));
            continue;
          }
          try {
            uploads.push(
              await ctx.client.upload(
                inspected.name,
                Readable.from([inspected.bytes]),
                inspected.bytes.length,
                inspected.contentType,
              ),
            );
          } catch (err) {
            if (!isAttachmentTooLarge(err)) throw err;
            lines.push(staffNotes().vilogiFileTooLargeForRedmine(inspected.name));
          }
        }
        // Everything above the marker comes from the Vilogi request: neutralised.
        const description = [
          neutralizeMarkers(
            [
              ...originLines({ ...request, authorEmail: request.authorEmail }),
              '',
              request.body,
              ...(lines.length > 0 ? ['', ...lines] : []),
            ].join('\n'),
          ),
          '',
          marker,
        ].join('\n');
        const created = await ctx.client.createIssue({
          projectId,
          subject: neutralizeMarkers(request.subject.slice(0, 255)) || staffNotes().noSubject,
          description,
          ...(uploads.length > 0 ? { uploads } : {}),
        });
        issueId = created.id;
      }
      await setVilogiIssue(tx, request.id, issueId);
      await writePrivateNote(tx, ctx, {
        issueId,
        ref: `vilogi-triage-${request.id}`,
        text: staffNotes().vilogiTriage(request.authorEmail),
        conversationId: `vilogi-${request.id}`,
      });
    });
  }

  async function importOne(runId: string, id: string): Promise<ImportOutcome> {
    const existing = await findVilogiRequest(db, id);
    // A retry within the run that claimed it counts as what that run did, not as "already known".
    const again = (): ImportOutcome =>
      existing?.first_run_id !== runId ? 'known' : existing.kind === 'conversation' ? 'created' : 'triage';
    if (existing && (existing.kind === 'conversation' || existing.redmine_issue_id !== null || !redmine))
      return again();
    const request = await settings().client.getRequest(id);
    if (!request) throw new Error('Vilogi no longer knows this request');
    const email = request.authorEmail ? normalizeEmail(request.authorEmail) : '';
    if (!existing && email && isEmail(email)) return importConversation(runId, request, email);
    if (!existing) {
      await claimVilogiRequest(db, {
        vilogiId: request.id,
        kind: 'triage',
        runId,
        service: request.service,
        authorEmail: request.authorEmail,
        authorName: request.authorName,
        building: request.building,
        lot: request.lot,
        subject: request.subject,
        filedAt: request.filedAt,
        spaceId: null,
        conversationId: null,
      });
    }
    await ensureTriageIssue(request);
    return existing ? again() : 'triage';
  }

  async function processOne(id: string): Promise<ProcessOutcome> {
    const row = await findVilogiRequest(db, id);
    if (!row) throw new Error('not imported yet');
    if (row.processed_at !== null) return 'already';
    let reference: string;
    let comment: string;
    if (row.kind === 'conversation') {
      const conversation = row.conversation_id ? await findConversation(db, row.conversation_id) : undefined;
      if (!conversation) throw new Error('its conversation is gone');
      const mapped = redmine && row.space_id ? await spaceMapped(row.space_id) : false;
      // The seed's order: the message is in Redmine, then the notification is processed.
      if (mapped && conversation.redmine_issue_id === null) return 'waiting';
      if (redmine && conversation.redmine_issue_id !== null) {
        await writePrivateNote(db, redmine, {
          issueId: conversation.redmine_issue_id,
          ref: `vilogi-origin-${row.vilogi_id}`,
          text: [
            ...originLines({
              ...row,
              filedAt: row.filed_at,
              authorName: row.author_name,
              authorEmail: row.author_email,
            }),
            staffNotes().vilogiNotificationProcessed(VILOGI_EVENT_MODEL),
          ].join('\n'),
          conversationId: conversation.id,
        });
        reference = `redmine-issue-${conversation.redmine_issue_id}`;
        comment = staffNotes().vilogiSentToRedmine(conversation.redmine_issue_id);
      } else {
        reference = `guichet-conversation-${conversation.id}`;
        comment = staffNotes().vilogiSentToClientSpace;
      }
    } else {
      if (redmine && settings().triageProjectId !== undefined && row.redmine_issue_id === null) return 'waiting';
      reference =
        row.redmine_issue_id !== null ? `redmine-issue-${row.redmine_issue_id}` : `guichet-triage-${row.vilogi_id}`;
      comment =
        row.redmine_issue_id !== null
          ? staffNotes().vilogiTriageInRedmine(row.redmine_issue_id)
          : staffNotes().vilogiTriageInGuichet;
    }
    const result = await settings().client.markProcessed(id, { eventModel: VILOGI_EVENT_MODEL, reference, comment });
    await setVilogiProcessed(db, id, result.eventId, result.processedAt);
    return 'processed';
  }

  async function spaceMapped(spaceId: string): Promise<boolean> {
    const space = await db.selectFrom('spaces').select('slug').where('id', '=', spaceId).executeTakeFirst();
    return space !== undefined && redmine?.projectIdBySlug.has(space.slug) === true;
  }

  return {
    async startVilogiRun(input: { runId: string; trigger: 'schedule' | 'manual' }): Promise<void> {
      await startRun(db, input.runId, input.trigger);
    },

    /** Every pending request id, in filing order (all pages; a run starts from the first). */
    async listVilogiPending(): Promise<string[]> {
      const ids: string[] = [];
      let after: string | undefined;
      do {
        const page = await settings().client.listPending({ after, limit: 200 });
        ids.push(...page.requests.map((r) => r.id));
        after = page.nextCursor ?? undefined;
        Context.current().heartbeat(ids.length);
      } while (after !== undefined && ids.length < MAX_PER_RUN);
      return [...new Set(ids)].slice(0, MAX_PER_RUN);
    },

    /** Imports a batch; a request that fails is reported, not thrown, so the others go on. */
    async importVilogiRequests(input: { runId: string; ids: string[] }): Promise<ImportResult[]> {
      const results: ImportResult[] = [];
      for (const id of input.ids) {
        try {
          results.push({ id, outcome: await importOne(input.runId, id) });
        } catch (err) {
          results.push({ id, outcome: 'failed', error: message(err) });
        }
        Context.current().heartbeat(results.length);
      }
      return results;
    },

    /** Processes the notifications of a batch ("Espace client"), once each. */
    async processVilogiRequests(input: { ids: string[] }): Promise<ProcessResultItem[]> {
      const results: ProcessResultItem[] = [];
      for (const id of input.ids) {
        try {
          results.push({ id, outcome: await processOne(id) });
        } catch (err) {
          results.push({ id, outcome: 'failed', error: message(err) });
        }
        Context.current().heartbeat(results.length);
      }
      return results;
    },

    /** Posts the exchange back to Vilogi, once per message, so that it is visible there too:
     * on conversations, what staff answered and the client wrote after the request (from
     * Guichet's own messages, no Redmine call); on triage issues, staff's public notes (read from
     * Redmine: there is no client space to hold them). A request whose post fails keeps its later
     * messages for the next run, so Vilogi gets them in order. */
    async postVilogiReplies(): Promise<{ posted: number; errors: VilogiRunError[] }> {
      if (!vilogi) return { posted: 0, errors: [] };
      let posted = 0;
      const errors: VilogiRunError[] = [];
      const stalled = new Set<string>();
      for (const m of await unpostedExchange(db, REPLY_WINDOW_DAYS, EXCHANGE_BATCH)) {
        if (stalled.has(m.vilogi_id)) continue;
        const ref = `message-${m.message_id}`;
        try {
          const sent = await vilogi.client.postMessage(m.vilogi_id, {
            reference: ref,
            author: m.author_display_name,
            from: m.author_kind,
            body: m.body,
            sentAt: m.created_at,
          });
          await recordReply(db, m.vilogi_id, ref, sent.messageId);
          posted++;
        } catch (err) {
          stalled.add(m.vilogi_id);
          errors.push({ requestId: m.vilogi_id, message: message(err) });
        }
        Context.current().heartbeat(posted);
      }
      const ctx = redmine;
      if (!ctx) return { posted, errors };
      for (const { vilogi_id: vilogiId, redmine_issue_id: issueId } of await liveTriageIssues(db, REPLY_WINDOW_DAYS)) {
        try {
          const issue = await ctx.client.getIssue(issueId, { journals: true });
          const done = await postedReplies(db, vilogiId);
          for (const journal of issue?.journals ?? []) {
            const ref = `redmine-journal-${journal.id}`;
            // Private notes and Guichet's own notes never leave Redmine.
            if (
              journal.privateNotes ||
              noteMarkerRefs(journal.notes).length > 0 ||
              !journal.notes.trim() ||
              done.has(ref)
            )
              continue;
            const sent = await vilogi.client.postMessage(vilogiId, {
              reference: ref,
              author: journal.userName,
              from: 'staff',
              body: stripNoteMarkers(journal.notes),
              sentAt: journal.createdOn,
            });
            await recordReply(db, vilogiId, ref, sent.messageId);
            posted++;
          }
        } catch (err) {
          errors.push({ requestId: vilogiId, message: message(err) });
        }
        Context.current().heartbeat(posted);
      }
      return { posted, errors };
    },

    async finishVilogiRun(input: {
      runId: string;
      status: 'done' | 'failed';
      counts: RunCounts;
      errors: VilogiRunError[];
    }): Promise<void> {
      await finishRun(db, input.runId, input.status, input.counts, input.errors);
    },
  };
}
