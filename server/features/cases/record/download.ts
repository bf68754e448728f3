// A client's download of a case file under the unpaid-cases rule (stamped, blocked, or the
// original). Not a route: the documents feature serves its own case files through it too.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../../../db/audit.js';
import { clientUnpaidExempt, getUnpaidMode } from '../../../../db/case-record.js';
import { downloadDecision, unpaidRestriction } from '../../../../domain/downloads.js';
import type { Case } from '../../../../db/database.js';
import { MAX_FILE_BYTES } from '../../../../domain/files.js';
import { pageContext, sendPage, translator } from '../../../context.js';
import { sendAttachment, type AttachmentRow } from '../../../downloads.js';
import { clientOf } from '../../../plugins/access.js';
import { isWatermarkError, stampForConsultation } from '../../../../app/watermark.js';
import { downloadRefusedPage } from './pages.js';

/** A file of a case as the download helper takes it. */
export interface CaseDownloadFile {
  id: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  created_at: Date;
}

export function asAttachment(file: CaseDownloadFile): AttachmentRow {
  return { ...file, message_id: '', redmine_attachment_id: null };
}

async function readAll(stream: NodeJS.ReadableStream, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    size += buf.length;
    if (size > max) throw new Error('stored file larger than any accepted upload');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/**
 * A client's download from a case: the unpaid-cases rule decides, read afresh on every request
 * (the setting, the case's payment state, the client's exemption), so marking the case paid
 * lifts it at once. A PDF that cannot be stamped is refused, never served as it is.
 */
export async function sendClientCaseDownload(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  kase: Case,
  file: CaseDownloadFile | undefined,
  subjectType: string,
): Promise<FastifyReply> {
  const { db, storage } = app.deps;
  const client = clientOf(request);
  if (!file) {
    reply.callNotFound();
    return reply;
  }
  const [mode, exempt] = await Promise.all([getUnpaidMode(db), clientUnpaidExempt(db, client.id)]);
  const restriction = unpaidRestriction({ mode, paymentState: kase.payment_state, exempt });
  const decision = downloadDecision('client', restriction, file.content_type);
  const actor = { accountId: client.id, kind: 'client' as const };
  const subject = (variant: 'original' | 'stamped') => ({
    type: subjectType,
    id: file.id,
    details: { caseId: kase.id, variant },
  });
  const refuse = async (reason: 'block' | 'not_pdf' | 'unstampable', status: number) => {
    const t = translator(request).caseRecord;
    await audit(db, {
      actorAccountId: client.id,
      actorKind: 'client',
      action: 'attachment.download_refused',
      subjectType,
      subjectId: file.id,
      ip: request.ip,
      details: { caseId: kase.id, reason },
    });
    const message = reason === 'block' ? t.refusedBlock : reason === 'not_pdf' ? t.refusedNotPdf : t.refusedUnstampable;
    return sendPage(
      reply.header('cache-control', 'private, no-store'),
      downloadRefusedPage(pageContext(request, reply), kase.id, message),
      status,
    );
  };
  if (decision === 'original')
    return sendAttachment(app, request, reply, asAttachment(file), actor, { subject: subject('original') });
  if (decision === 'block') return refuse(restriction === 'block' ? 'block' : 'not_pdf', 403);
  let stamped: Uint8Array;
  try {
    // The stored original is read, never written: the stamp goes on a copy in memory.
    const original = await readAll(await storage.get(file.storage_key), MAX_FILE_BYTES * 2);
    stamped = await stampForConsultation(original);
  } catch (err) {
    if (!isWatermarkError(err)) throw err;
    request.log.warn({ fileId: file.id, code: err.code }, 'a PDF of an unpaid case cannot be stamped: refused');
    return refuse('unstampable', 409);
  }
  return sendAttachment(app, request, reply, asAttachment(file), actor, {
    subject: subject('stamped'),
    content: stamped,
  });
}
