// Importing one Vilogi request: a conversation when its author's e-mail is usable (the use case
// in app/vilogi-import.ts), else a triage issue. The Vilogi id is the idempotency key: a retry
// within the run that claimed it counts as what that run did.
import { normalizeEmail } from '../../db/accounts.js';
import { claimVilogiRequest, findVilogiRequest } from '../../db/vilogi.js';
import type { VilogiRequest } from '../../connectors/vilogi/index.js';
import { isEmail } from '../../domain/validation.js';
import { importVilogiConversation, spaceForService } from '../../app/vilogi-import.js';
import type { ImportOutcome, VilogiActivityDeps, VilogiSettings } from './deps.js';
import type { createFileSteps } from './files.js';
import type { createTriageSteps } from './triage.js';

export function createImportSteps(
  { db, redmine, storage }: Pick<VilogiActivityDeps, 'db' | 'redmine' | 'storage'>,
  settings: () => VilogiSettings,
  { storeAttachments }: ReturnType<typeof createFileSteps>,
  { ensureTriageIssue }: ReturnType<typeof createTriageSteps>,
) {
  async function importConversation(runId: string, request: VilogiRequest, email: string): Promise<ImportOutcome> {
    const s = settings();
    const spaceId = await spaceForService(
      db,
      { services: s.services, redmineProjects: s.redmineProjects, mirrored: redmine !== undefined },
      request.service,
    );
    if (!spaceId)
      throw new Error(`no space for the Vilogi service "${request.service}" (VILOGI_SERVICES and REDMINE_PROJECTS)`);
    const { files, refused } = await storeAttachments(request);
    return importVilogiConversation(
      db,
      { storage, conversations: s.conversations },
      { runId, request, email, spaceId, files, refused },
    );
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

  return { importOne };
}
