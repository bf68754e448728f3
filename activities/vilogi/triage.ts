// The triage issue of a Vilogi request without a usable e-mail: created once in the triage
// project (row-locked, and found again by the marker its description ends with after a crash
// between creating it and recording it), with the request's files, and a private note telling
// staff what to do with it.
import { Readable } from 'node:stream';
import { setVilogiIssue, withVilogiRequestLocked } from '../../db/vilogi.js';
import type { RedmineMirrorContext } from '../../connectors/redmine/mirror-context.js';
import { hasNoteMarker, neutralizeMarkers, noteMarker } from '../../connectors/redmine/notes.js';
import { isAttachmentTooLarge } from '../../connectors/redmine/errors.js';
import type { UploadToken } from '../../connectors/redmine/types.js';
import type { VilogiRequest } from '../../connectors/vilogi/index.js';
import { isRefusal } from '../../app/inspection/index.js';
import { escapeForRedmine } from '../../domain/redmine-text.js';
import { staffNotes } from '../../i18n/notes/index.js';
import { writePrivateNote } from '../redmine.js';
import type { VilogiActivityDeps, VilogiSettings } from './deps.js';
import type { createFileSteps } from './files.js';
import { originLines, refusalText } from './origin.js';

type FileSteps = ReturnType<typeof createFileSteps>;

/** The request's files for the triage issue: uploaded, or named in lines when not taken. */
async function uploadAttachments(
  ctx: RedmineMirrorContext,
  request: VilogiRequest,
  inspectAttachment: FileSteps['inspectAttachment'],
) {
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
  return { uploads, lines };
}

export function createTriageSteps(
  { db, redmine }: Pick<VilogiActivityDeps, 'db' | 'redmine'>,
  settings: () => VilogiSettings,
  { inspectAttachment }: FileSteps,
) {
  /** Creates the triage issue: everything above the marker comes from the Vilogi request (neutralised). */
  async function createTriageIssue(
    ctx: RedmineMirrorContext,
    projectId: number,
    request: VilogiRequest,
    marker: string,
  ): Promise<number> {
    const { uploads, lines } = await uploadAttachments(ctx, request, inspectAttachment);
    const description = [
      neutralizeMarkers(
        [
          ...originLines({ ...request, authorEmail: request.authorEmail }),
          '',
          // The Vilogi user's words reach staff as typed: escaped for Redmine's formatter.
          escapeForRedmine(request.body, ctx.textFormatting ?? 'textile'),
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
    return created.id;
  }

  /** The triage issue of a request, created once: row-locked, and found again by its marker
   * after a crash between creating it and recording it. A request this very call claimed has no
   * issue yet (one is created only after the claim): Redmine is not searched for it. */
  async function ensureTriageIssue(request: VilogiRequest, options: { claimedNow?: boolean } = {}): Promise<void> {
    const ctx = redmine;
    const projectId = settings().triageProjectId;
    if (!ctx || projectId === undefined) return;
    await withVilogiRequestLocked(db, request.id, async (tx, row) => {
      if (!row || row.redmine_issue_id !== null) return;
      const markerRef = `vilogi-${request.id}`;
      const candidates = options.claimedNow
        ? []
        : (
            await ctx.client.listIssues({
              projectIds: [projectId],
              updatedSince: new Date(row.imported_at.getTime() - 60_000),
              limit: 100,
            })
          ).issues;
      // The marker the description ends with: the request's own text above it cannot pass for it.
      const found = candidates.find((i) => hasNoteMarker(i.description, markerRef));
      const issueId = found?.id ?? (await createTriageIssue(ctx, projectId, request, noteMarker(markerRef)));
      await setVilogiIssue(tx, request.id, issueId);
      await writePrivateNote(tx, ctx, {
        issueId,
        ref: `vilogi-triage-${request.id}`,
        text: staffNotes().vilogiTriage(request.authorEmail),
        conversationId: `vilogi-${request.id}`,
      });
    });
  }

  return { ensureTriageIssue };
}
