// What the integration API answers, made from rows: a case, a deposited piece, a case file with
// its downloads, a change, a message of the public thread. Nothing here names a staff member's
// address or a client's IP address; history says who (client side or staff) and when.
import type { ApiCaseRow } from '../../../db/integration-api.js';
import type { CaseFile, DocumentCategory, DocumentRow, Message } from '../../../db/database.js';
import type { CaseStep, FileDownloads } from '../../../db/case-record.js';
import type { ChangeRow } from '../../../db/api-changes.js';
import type { CaseFileJson, CaseJson, ConversationJson, PieceJson } from './schemas.js';

export function caseJson(row: ApiCaseRow, steps?: CaseStep[]): CaseJson {
  return {
    id: row.id,
    space: row.space_slug,
    number: row.number,
    title: row.title,
    procedure: row.template_slug,
    status: row.status,
    client: { email: row.client_email, fullName: row.client_name },
    facts: row.facts,
    summary: row.summary,
    conclusions: row.conclusions,
    payment: { state: row.payment_state, amountCents: row.payment_amount_cents },
    assignee: row.assignee_email,
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
    closedAt: row.closed_at?.toISOString() ?? null,
    ...(steps ? { steps: steps.map((s) => ({ kind: s.kind, at: s.at.toISOString(), detail: s.detail })) } : {}),
  };
}

export function pieceJson(
  doc: DocumentRow,
  categories: ReadonlyMap<string, Pick<DocumentCategory, 'code'>>,
): PieceJson {
  return {
    id: doc.id,
    category: categories.get(doc.category_id)?.code ?? '',
    piece: doc.piece_code,
    fileName: doc.file_name,
    contentType: doc.content_type,
    sizeBytes: doc.size_bytes,
    sha256: doc.sha256,
    status: doc.status,
    refusalReason: doc.rejection_reason,
    comment: doc.review_comment,
    depositedAt: doc.created_at.toISOString(),
    reviewedAt: doc.reviewed_at?.toISOString() ?? null,
  };
}

export function caseFileJson(file: CaseFile, downloads: FileDownloads | undefined): CaseFileJson {
  return {
    id: file.id,
    fileName: file.file_name,
    contentType: file.content_type,
    sizeBytes: file.size_bytes,
    sha256: file.sha256,
    createdAt: file.created_at.toISOString(),
    downloads: {
      client: downloads?.clientCount ?? 0,
      total: downloads?.totalCount ?? 0,
      history: (downloads?.history ?? []).map((h) => ({
        at: h.at.toISOString(),
        by: h.actorKind,
        variant: h.variant,
      })),
    },
  };
}

export function changeJson(c: ChangeRow) {
  return {
    kind: c.kind,
    id: c.entityId,
    operation: c.operation,
    caseId: c.caseId,
    conversationId: c.conversationId,
    at: c.at.toISOString(),
  };
}

export function messageJson(m: Message, clientName: string) {
  return {
    id: m.id,
    author: { kind: m.author_kind, name: m.author_kind === 'client' ? clientName : m.author_display_name },
    kind: m.kind,
    body: m.body,
    createdAt: m.created_at.toISOString(),
  };
}

/** A conversation with its public thread (the messages table holds nothing else). */
export function conversationJson(
  c: {
    id: string;
    subject: string;
    status: string;
    space_slug: string;
    client_name: string;
    client_email: string;
    case_number: string | null;
    created_at: Date;
  },
  messages: Message[],
): ConversationJson {
  return {
    id: c.id,
    space: c.space_slug,
    subject: c.subject,
    status: c.status as ConversationJson['status'],
    client: { email: c.client_email, fullName: c.client_name },
    case: c.case_number,
    createdAt: c.created_at.toISOString(),
    messages: messages.map((m) => messageJson(m, c.client_name)),
  };
}
