import type { Db } from './connect.js';
import type { AccountKind } from './database.js';

export interface AuditEntry {
  actorAccountId: string | null;
  actorKind: AccountKind | 'system';
  action: string;
  subjectType?: string;
  subjectId?: string;
  ip?: string | null;
  /** Never passwords, tokens or document contents. */
  details?: Record<string, unknown>;
}

export async function audit(db: Db, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_account_id: entry.actorAccountId,
      actor_kind: entry.actorKind,
      action: entry.action,
      subject_type: entry.subjectType ?? null,
      subject_id: entry.subjectId ?? null,
      ip: entry.ip ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}
