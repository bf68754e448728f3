// Importing Vilogi requests: a conversation when its author's e-mail is usable (the use case in
// app/vilogi-import.ts), else a triage issue. The Vilogi id is the idempotency key: a retry
// within the run that claimed it counts as what that run did. A page of requests is read in one
// query and imported a few at a time (VILOGI_IMPORT_CONCURRENCY); each request stays one
// transaction of its own, so that a failure holds back no other.
import { Context } from '@temporalio/activity';
import { normalizeEmail } from '../../db/accounts.js';
import type { VilogiRequestRow } from '../../db/database.js';
import { claimVilogiRequest, findVilogiRequests } from '../../db/vilogi.js';
import type { VilogiRequest } from '../../connectors/vilogi/index.js';
import { isEmail } from '../../domain/validation.js';
import { importVilogiConversation, spaceForService } from '../../app/vilogi-import.js';
import {
  mapLimit,
  message,
  type ImportOutcome,
  type ImportResult,
  type VilogiActivityDeps,
  type VilogiSettings,
} from './deps.js';
import type { createFileSteps } from './files.js';
import type { createTriageSteps } from './triage.js';

/** The space of each Vilogi service, looked up once per page. */
type SpaceLookup = (service: string) => Promise<string | undefined>;

export function createImportSteps(
  { db, redmine, storage }: Pick<VilogiActivityDeps, 'db' | 'redmine' | 'storage'>,
  settings: () => VilogiSettings,
  { storeAttachments }: ReturnType<typeof createFileSteps>,
  { ensureTriageIssue }: ReturnType<typeof createTriageSteps>,
) {
  async function importConversation(
    runId: string,
    request: VilogiRequest,
    email: string,
    spaceOf: SpaceLookup,
  ): Promise<ImportOutcome> {
    const s = settings();
    const spaceId = await spaceOf(request.service);
    if (!spaceId)
      throw new Error(`no space for the Vilogi service "${request.service}" (VILOGI_SERVICES and REDMINE_PROJECTS)`);
    const { files, refused } = await storeAttachments(request);
    return importVilogiConversation(
      db,
      { storage, conversations: s.conversations },
      { runId, request, email, spaceId, files, refused },
    );
  }

  async function importOne(
    runId: string,
    id: string,
    existing: VilogiRequestRow | undefined,
    spaceOf: SpaceLookup,
  ): Promise<ImportOutcome> {
    // A retry within the run that claimed it counts as what that run did, not as "already known".
    const again = (): ImportOutcome =>
      existing?.first_run_id !== runId ? 'known' : existing.kind === 'conversation' ? 'created' : 'triage';
    if (existing && (existing.kind === 'conversation' || existing.redmine_issue_id !== null || !redmine))
      return again();
    const request = await settings().client.getRequest(id);
    if (!request) throw new Error('Vilogi no longer knows this request');
    const email = request.authorEmail ? normalizeEmail(request.authorEmail) : '';
    if (!existing && email && isEmail(email)) return importConversation(runId, request, email, spaceOf);
    // Claimed by this call: no triage issue can exist for it yet (one is only created after the
    // claim), so there is nothing to look for in Redmine before creating it.
    const claimedNow =
      !existing &&
      (await claimVilogiRequest(db, {
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
      }));
    await ensureTriageIssue(request, { claimedNow });
    return existing ? again() : 'triage';
  }

  /** Imports a page of requests, `concurrency` at a time; a request that fails is reported, not
   * thrown, so the others go on. */
  async function importMany(runId: string, ids: readonly string[], concurrency: number): Promise<ImportResult[]> {
    const existing = await findVilogiRequests(db, ids);
    const s = settings();
    const routing = { services: s.services, redmineProjects: s.redmineProjects, mirrored: redmine !== undefined };
    const spaces = new Map<string, Promise<string | undefined>>();
    const spaceOf: SpaceLookup = (service) => {
      const key = service.trim().toLowerCase();
      let space = spaces.get(key);
      if (!space) {
        space = spaceForService(db, routing, service);
        // A failed lookup is asked again by the next request, not remembered.
        space.catch(() => spaces.delete(key));
        spaces.set(key, space);
      }
      return space;
    };
    return mapLimit(
      ids,
      concurrency,
      async (id): Promise<ImportResult> => {
        try {
          return { id, outcome: await importOne(runId, id, existing.get(id), spaceOf) };
        } catch (err) {
          return { id, outcome: 'failed', error: message(err) };
        }
      },
      (done) => Context.current().heartbeat(done),
    );
  }

  return { importMany };
}
