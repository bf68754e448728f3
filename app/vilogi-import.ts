// The Vilogi import's use case: a Vilogi request with a usable e-mail becomes a conversation in
// the space its service maps to. The request is claimed (its Vilogi id is unique) in the same
// transaction as the client, the conversation, its first message and its files, so that a
// repeat creates nothing; the files of a request not created after all leave storage.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connect.js';
import { addClientToSpace, findOrCreateClient } from '../db/accounts.js';
import type { NewAttachment } from '../db/conversations.js';
import { claimVilogiRequest, firstSpaceId, setVilogiConversation, spaceIdAmongSlugs } from '../db/vilogi.js';
import type { VilogiRequest } from '../connectors/vilogi/index.js';
import { staffNotes } from '../i18n/notes/index.js';
import { writeConversation } from './conversations.js';
import type { FileStorage } from './file-storage.js';
import type { WorkflowGateway } from './workflow-gateway.js';

export interface VilogiRouting {
  /** Vilogi service (lower case) → Redmine project identifier; `*` for any other service. */
  services: Map<string, string>;
  /** Space slug → Redmine project identifier (REDMINE_PROJECTS). */
  redmineProjects: Map<string, string>;
  /** Whether Redmine mirrors conversations (without it, a target may name a space directly). */
  mirrored: boolean;
}

/** The space a Vilogi service's requests go to: the space of the service's Redmine project. */
export async function spaceForService(db: Db, routing: VilogiRouting, service: string): Promise<string | undefined> {
  const target = routing.services.get(service.trim().toLowerCase()) ?? routing.services.get('*');
  if (!target) return undefined;
  const slugs = [...routing.redmineProjects].filter(([, project]) => project === target).map(([slug]) => slug);
  // Without Redmine the target may name a space directly.
  const candidates = slugs.length > 0 ? slugs : [target];
  const space = await spaceIdAmongSlugs(db, candidates);
  if (space) return space;
  // No mirror at all (the demo without Redmine): the first space takes every request.
  if (!routing.mirrored) return firstSpaceId(db);
  return undefined;
}

export interface VilogiConversationImport {
  runId: string;
  request: VilogiRequest;
  /** The request's author e-mail, normalised and checked. */
  email: string;
  spaceId: string;
  /** Files already in storage (deleted here if the conversation is not created). */
  files: NewAttachment[];
  /** Files not taken, each named with the reason: listed under the request's text. */
  refused: string[];
}

/** Creates the request's conversation once: 'created', or 'known' when it was claimed before. */
export async function importVilogiConversation(
  db: Db,
  deps: { storage: FileStorage; conversations: Pick<WorkflowGateway, 'clientMessage'> },
  input: VilogiConversationImport,
): Promise<'created' | 'known'> {
  const { request, email, files } = input;
  const ids = { conversationId: randomUUID(), messageId: randomUUID() };
  const notes = staffNotes();
  const body = [
    request.body.trim() || request.subject,
    ...(input.refused.length > 0 ? ['', ...input.refused.map((r) => notes.vilogiFileNotTakenInMessage(r))] : []),
  ].join('\n');
  let created = false;
  try {
    created = await db.transaction().execute(async (tx) => {
      const claimed = await claimVilogiRequest(tx, {
        vilogiId: request.id,
        kind: 'conversation',
        runId: input.runId,
        service: request.service,
        authorEmail: email,
        authorName: request.authorName,
        building: request.building,
        lot: request.lot,
        subject: request.subject,
        filedAt: request.filedAt,
        spaceId: input.spaceId,
        // Linked once the conversation exists (a foreign key), in this same transaction.
        conversationId: null,
      });
      if (!claimed) return false;
      const account = await findOrCreateClient(tx, email, request.authorName);
      await addClientToSpace(tx, input.spaceId, account.id);
      await writeConversation(
        tx,
        deps.conversations,
        { account, ip: null },
        {
          spaceId: input.spaceId,
          subject: request.subject.slice(0, 200) || notes.noSubject,
          body,
          cc: '',
          attachments: files,
        },
        ids,
      );
      await setVilogiConversation(tx, request.id, ids.conversationId);
      return true;
    });
  } finally {
    if (!created) await Promise.all(files.map((f) => deps.storage.delete(f.storageKey)));
  }
  return created ? 'created' : 'known';
}
