// Writes of the document collection. As for messages, the Temporal signal is sent inside the
// database transaction: if Temporal refuses, no row is kept (and the route removes the files).
import type { Db } from '../db/connect.js';
import type { Case, DocumentRow } from '../db/database.js';
import { addClientToSpace, findOrCreateClient } from '../db/accounts.js';
import { audit } from '../db/audit.js';
import {
  addCaseComment,
  createCase,
  insertDocuments,
  markCollectionStarted,
  reviewDocument,
  setCaseStatus,
  withdrawDocument,
  type NewDocument,
  type Review,
} from '../db/documents.js';
import type { WorkflowGateway } from './workflow-gateway.js';
import type { Actor } from './conversations.js';
import { notifyCaseAvailableIn } from './case-record.js';
import { caseKey, emitWebhookEvent } from './webhooks/emit.js';

export async function openCase(
  db: Db,
  workflows: WorkflowGateway,
  input: Parameters<typeof createCase>[1],
): Promise<Case> {
  return db.transaction().execute(async (tx) => openCaseIn(tx, workflows, input));
}

/** Inside the caller's transaction: the case, then its collection workflow (refused: no row kept). */
async function openCaseIn(tx: Db, workflows: WorkflowGateway, input: Parameters<typeof createCase>[1]): Promise<Case> {
  const kase = await createCase(tx, input);
  await markCollectionStarted(tx, kase.id);
  await workflows.documentCollection(kase.id, { type: 'start' });
  return kase;
}

/**
 * Staff open a case from the back-office: for an existing client, or a new one (created without a
 * password: like every client, they set it with "first visit or forgotten password"), who then
 * knows the case's space. All or nothing, with an audit entry.
 */
export async function openCaseForClient(
  db: Db,
  workflows: WorkflowGateway,
  actor: Actor,
  input: Omit<Parameters<typeof createCase>[1], 'clientAccountId'> & {
    client: { id: string } | { email: string; fullName: string };
  },
  options: { notifyClient?: { publicUrl: string } } = {},
): Promise<{ kase: Case; clientCreated: boolean }> {
  return db.transaction().execute(async (tx) => {
    const { client, ...rest } = input;
    const created = 'email' in client;
    const clientId = created ? (await findOrCreateClient(tx, client.email, client.fullName)).id : client.id;
    await addClientToSpace(tx, rest.spaceId, clientId);
    const kase = await openCaseIn(tx, workflows, { ...rest, clientAccountId: clientId });
    await audit(tx, {
      actorAccountId: actor.account.id,
      actorKind: 'staff',
      action: 'case.open',
      subjectType: 'case',
      subjectId: kase.id,
      ip: actor.ip,
      details: {
        number: kase.number,
        templateId: kase.template_id,
        spaceId: kase.space_id,
        clientId,
        clientCreated: created,
      },
    });
    if (options.notifyClient)
      await notifyCaseAvailableIn(tx, workflows, actor, kase, options.notifyClient.publicUrl, 'open');
    return { kase, clientCreated: created };
  });
}

/** Starts the collection of open cases written by something else than openCase (demo data, imports). */
export async function startPendingCollections(
  db: Db,
  workflows: WorkflowGateway,
  caseIds: readonly string[],
): Promise<void> {
  for (const caseId of caseIds) {
    await workflows.documentCollection(caseId, { type: 'start' });
    await markCollectionStarted(db, caseId);
  }
}

export async function depositDocuments(
  db: Db,
  workflows: WorkflowGateway,
  actor: Actor,
  kase: Case,
  docs: ReadonlyArray<Omit<NewDocument, 'caseId' | 'depositedBy'>>,
): Promise<DocumentRow[]> {
  return db.transaction().execute(async (tx) => {
    const rows = await insertDocuments(
      tx,
      docs.map((d) => ({ ...d, caseId: kase.id, depositedBy: actor.account.id })),
    );
    for (const row of rows) {
      await audit(tx, {
        actorAccountId: actor.account.id,
        actorKind: actor.account.kind,
        action: 'document.deposit',
        subjectType: 'document',
        subjectId: row.id,
        ip: actor.ip,
        details: {
          caseId: kase.id,
          categoryId: row.category_id,
          sizeBytes: row.size_bytes,
          sha256: row.sha256,
          source: row.source,
        },
      });
    }
    await workflows.documentCollection(kase.id, { type: 'deposit', documentIds: rows.map((r) => r.id) });
    for (const row of rows)
      await emitWebhookEvent(tx, workflows, {
        type: 'piece.deposited',
        orderingKey: caseKey(kase.id),
        spaceId: kase.space_id,
        data: { ...caseRef(kase), documentId: row.id, categoryId: row.category_id, state: row.status },
      });
    return rows;
  });
}

/** Until staff reviewed it; the caller removes the stored file once this returns a row. */
export async function withdraw(db: Db, actor: Actor, kase: Case, documentId: string): Promise<DocumentRow | undefined> {
  return db.transaction().execute(async (tx) => {
    const row = await withdrawDocument(tx, kase.id, documentId);
    if (row) {
      await audit(tx, {
        actorAccountId: actor.account.id,
        actorKind: actor.account.kind,
        action: 'document.withdraw',
        subjectType: 'document',
        subjectId: row.id,
        ip: actor.ip,
        details: { caseId: kase.id, sha256: row.sha256 },
      });
    }
    return row;
  });
}

export async function review(
  db: Db,
  workflows: WorkflowGateway,
  actor: Actor,
  kase: Case,
  documentId: string,
  decision: Review,
): Promise<DocumentRow | undefined> {
  return db.transaction().execute(async (tx) => {
    const row = await reviewDocument(tx, kase.id, documentId, actor.account.id, decision);
    if (!row) return undefined;
    await audit(tx, {
      actorAccountId: actor.account.id,
      actorKind: 'staff',
      action: `document.${decision.outcome}`,
      subjectType: 'document',
      subjectId: row.id,
      ip: actor.ip,
      details: {
        caseId: kase.id,
        ...(decision.outcome === 'rejected' ? { reason: decision.reason } : { piece: decision.pieceCode }),
      },
    });
    await workflows.documentCollection(kase.id, { type: 'review', documentId: row.id });
    await emitWebhookEvent(tx, workflows, {
      type: decision.outcome === 'rejected' ? 'piece.refused' : 'piece.validated',
      orderingKey: caseKey(kase.id),
      spaceId: kase.space_id,
      data: {
        ...caseRef(kase),
        documentId: row.id,
        categoryId: row.category_id,
        state: row.status,
        ...(decision.outcome === 'rejected' ? { reason: decision.reason } : { piece: decision.pieceCode }),
      },
    });
    return row;
  });
}

export async function sendCaseComment(
  db: Db,
  workflows: WorkflowGateway,
  actor: Actor,
  kase: Case,
  body: string,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const comment = await addCaseComment(tx, kase.id, actor.account.id, body);
    await workflows.documentCollection(kase.id, { type: 'comment', commentId: comment.id });
  });
}

export async function closeCase(db: Db, workflows: WorkflowGateway, actor: Actor, kase: Case): Promise<void> {
  await db.transaction().execute(async (tx) => {
    if (!(await setCaseStatus(tx, kase.id, 'closed'))) return;
    await audit(tx, {
      actorAccountId: actor.account.id,
      actorKind: 'staff',
      action: 'case.close',
      subjectType: 'case',
      subjectId: kase.id,
      ip: actor.ip,
    });
    await workflows.documentCollection(kase.id, { type: 'close' });
  });
}

/**
 * A template's cadence was edited: its open cases read it again now. Best effort: a case whose
 * signal is lost still reads the template when its next reminder comes due (the workflow re-reads
 * it then), so a Temporal hiccup here only delays an earlier reminder, never sends a wrong one.
 */
export async function announceCadenceChange(
  db: Db,
  workflows: WorkflowGateway,
  templateId: string,
): Promise<{ signalled: number; failed: number }> {
  const open = await db
    .selectFrom('cases')
    .select('id')
    .where('template_id', '=', templateId)
    .where('status', '=', 'open')
    .execute();
  let failed = 0;
  for (const { id } of open) {
    try {
      await workflows.documentCollection(id, { type: 'policy' });
    } catch {
      failed++;
    }
  }
  return { signalled: open.length - failed, failed };
}

/** What a webhook says of a case: its ids and external reference. */
function caseRef(kase: Case) {
  return { caseId: kase.id, caseNumber: kase.number, spaceId: kase.space_id };
}
