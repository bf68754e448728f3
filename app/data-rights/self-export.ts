// The export a client asks for from their own space (GDPR articles 15 and 20): the ask (once per
// rate window, audited, the row and the workflow's start in one transaction), then the steps of
// workflows/self-export.ts: the archive built by the staff export's own code (export.ts), spooled
// and streamed into storage under a random key; the e-mail with the link, in the client's language,
// always sent (it is the answer to their own request, not a notification they may turn off); at
// expiry the archive and the row deleted. Downloading is the route's (server/features/self-export),
// through the audited download of server/downloads.ts.
import { audit } from '../../db/audit.js';
import { findAccountById } from '../../db/accounts.js';
import type { Db } from '../../db/connect.js';
import type { SelfExport } from '../../db/database.js';
import { enqueueNotification } from '../../db/notifications.js';
import {
  deleteSelfExport,
  findClientSelfExport,
  findSelfExport,
  insertSelfExport,
  markSelfExportReady,
} from '../../db/self-exports.js';
import { SELF_EXPORT_DAYS, selfExportPath } from '../../domain/self-export.js';
import { formatDateTime, isLocale, messages } from '../../i18n/index.js';
import { builtArchive, type FileStorage } from '../file-storage.js';
import { spoolStream } from '../inspection/index.js';
import { RateLimitedError, type RateLimits } from '../rate-limits.js';
import type { WorkflowGateway } from '../workflow-gateway.js';
import { exportPerson } from './export.js';

/** An archive larger than this is not kept (far beyond any person's files here). */
export const SELF_EXPORT_MAX_BYTES = 20 * 1024 * 1024 * 1024;

export type AskResult =
  { outcome: 'asked'; exportId: string } | { outcome: 'too-soon'; retryAfterSeconds: number } | { outcome: 'closed' };

/** The rate-limit key of a client's asks: per account only (many clients may share one office address). */
const askKeys = (accountId: string) => [`account:${accountId}`];

/**
 * A client asks for their export. Refused for a closed (erased) account, and when they asked
 * within the rate window (`selfExport`). The row, its audit entry and the workflow's start are one
 * transaction: if Temporal refuses, nothing is stored and the ask is given back.
 */
export async function askSelfExport(
  deps: { db: Db; workflows: WorkflowGateway; rateLimits: RateLimits },
  accountId: string,
  ip: string,
): Promise<AskResult> {
  const { db, workflows, rateLimits } = deps;
  const account = await findAccountById(db, accountId);
  if (!account || account.kind !== 'client' || account.disabled_at) return { outcome: 'closed' };
  try {
    await rateLimits.consume('selfExport', askKeys(accountId));
  } catch (err) {
    if (err instanceof RateLimitedError) return { outcome: 'too-soon', retryAfterSeconds: err.retryAfterSeconds };
    throw err;
  }
  try {
    const row = await db.transaction().execute(async (tx) => {
      const created = await insertSelfExport(tx, accountId, ip);
      await audit(tx, {
        actorAccountId: accountId,
        actorKind: 'client',
        action: 'person.export.request',
        subjectType: 'account',
        subjectId: accountId,
        ip,
        details: { exportId: created.id },
      });
      await workflows.selfExport(created.id, accountId);
      return created;
    });
    return { outcome: 'asked', exportId: row.id };
  } catch (err) {
    await rateLimits.refund('selfExport', askKeys(accountId));
    throw err;
  }
}

/** The client's export if it is theirs, ready, and not past its expiry (else nothing to give). */
export async function downloadableSelfExport(
  db: Db,
  accountId: string,
  exportId: string,
  now = new Date(),
): Promise<(SelfExport & { storage_key: string; size_bytes: number; ready_at: Date }) | undefined> {
  const row = await findClientSelfExport(db, accountId, exportId);
  if (!row || row.status !== 'ready' || !row.storage_key || row.size_bytes === null || !row.ready_at) return undefined;
  if (!row.expires_at || row.expires_at <= now) return undefined;
  return { ...row, storage_key: row.storage_key, size_bytes: row.size_bytes, ready_at: row.ready_at };
}

/**
 * Builds the archive (the staff export's code, audited as the client's export), spools it while
 * it is counted and hashed, and streams it into storage. Safe to repeat: a ready export is left as
 * it is; an export erased meanwhile leaves nothing stored. 'gone' when the export was erased;
 * 'not-visible' when its row is not committed yet (the workflow starts inside the ask's
 * transaction): the caller tries again.
 */
export async function buildSelfExport(
  db: Db,
  storage: FileStorage,
  exportId: string,
  accountId: string,
): Promise<{ outcome: 'ready'; expiresAt: string } | { outcome: 'gone' } | { outcome: 'not-visible' }> {
  const row = await findSelfExport(db, exportId);
  if (!row) {
    // An erasure closes the account in the transaction that deletes its exports.
    const account = await findAccountById(db, accountId);
    return !account || account.disabled_at ? { outcome: 'gone' } : { outcome: 'not-visible' };
  }
  if (row.account_id !== accountId) return { outcome: 'gone' };
  if (row.status === 'ready' && row.expires_at) return { outcome: 'ready', expiresAt: row.expires_at.toISOString() };
  const zip = await exportPerson(
    db,
    storage,
    { accountId: row.account_id, kind: 'client', ip: row.ip },
    row.account_id,
  );
  if (!zip) {
    await deleteSelfExport(db, exportId);
    return { outcome: 'gone' };
  }
  const spool = await spoolStream(zip, SELF_EXPORT_MAX_BYTES);
  try {
    if (spool.sizeBytes > SELF_EXPORT_MAX_BYTES)
      throw new Error(`export ${exportId}: the archive is too large to keep`);
    const stored = await storage.put(builtArchive(spool));
    const readyAt = new Date();
    const expiresAt = new Date(readyAt.getTime() + SELF_EXPORT_DAYS * 86_400_000);
    const marked = await markSelfExportReady(db, exportId, {
      storageKey: stored.key,
      sizeBytes: stored.sizeBytes,
      sha256: stored.sha256,
      readyAt,
      expiresAt,
    });
    if (!marked) {
      // Erased (or finished by another attempt) while it was built: this copy is not kept.
      await storage.delete(stored.key);
      const again = await findSelfExport(db, exportId);
      if (again?.status === 'ready' && again.expires_at)
        return { outcome: 'ready', expiresAt: again.expires_at.toISOString() };
      return { outcome: 'gone' };
    }
    return { outcome: 'ready', expiresAt: expiresAt.toISOString() };
  } finally {
    await spool.dispose();
  }
}

/** The e-mail with the link into the outbox (once per export); the notification to deliver. */
export async function queueSelfExportMail(db: Db, publicUrl: string, exportId: string): Promise<string | undefined> {
  const row = await findSelfExport(db, exportId);
  if (!row || row.status !== 'ready' || !row.expires_at) return undefined;
  const account = await findAccountById(db, row.account_id);
  if (!account || account.disabled_at) return undefined;
  const locale = isLocale(account.locale) ? account.locale : 'fr';
  const t = messages(locale);
  const url = `${publicUrl}${selfExportPath(exportId)}`;
  const body = t.selfExport.mailBody(url, formatDateTime(row.expires_at, locale));
  const notification = await enqueueNotification(db, {
    idempotencyKey: `self-export:${exportId}`,
    recipient: account.email,
    subject: t.selfExport.mailSubject,
    bodyText: `${t.mail.greeting(account.full_name)}\n\n${body}\n\n${t.mail.signature}`,
  });
  return notification.id;
}

/** Deletes the archive, then the row (a crash between leaves a row whose archive is gone, which
 * nothing serves and the next attempt removes), and audits the expiry. */
export async function expireSelfExport(db: Db, storage: FileStorage, exportId: string): Promise<boolean> {
  const row = await findSelfExport(db, exportId);
  if (!row) return false;
  if (row.storage_key) await storage.delete(row.storage_key);
  await db.transaction().execute(async (tx) => {
    await deleteSelfExport(tx, exportId);
    await audit(tx, {
      actorAccountId: null,
      actorKind: 'system',
      action: 'person.export.expired',
      subjectType: 'account',
      subjectId: row.account_id,
      details: { exportId },
    });
  });
  return true;
}
