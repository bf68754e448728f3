// The erasure of a person (GDPR article 17). What is deleted and what is kept:
// - deleted: every file of theirs (deposited pieces, message attachments, files on their record,
//   files of their cases) from storage and the database; contact means, contact records,
//   notification preferences, sessions, contributor memberships, comments, the e-mails and SMS
//   sent to them;
// - kept for the organisation's records (what it must be able to show it answered and decided),
//   without their name: the conversations and their messages, the author shown as "Client
//   supprimé"; the cases (number, state, amounts); the audit log (ids only);
// - the account closed: e-mail and name replaced, password removed, disabled, sessions ended;
// - Redmine: Guichet never deletes an issue; the issue numbers are listed for staff to handle;
// - any export they asked for from their space (self-export.ts): its row and archive deleted.
// Refused while a case of theirs is not closed, unless an administrator confirms. Audited.
import { audit } from '../../db/audit.js';
import type { Db } from '../../db/connect.js';
import { eraseRows, openCasesOf, personRecord, redmineIssuesOf } from '../../db/data-rights.js';
import { deleteSelfExportsOf } from '../../db/self-exports.js';
import type { FileStorage } from '../file-storage.js';

export interface EraseActor {
  accountId: string;
  isAdmin: boolean;
  ip: string | null;
}

export type EraseResult =
  | { outcome: 'erased'; redmineIssues: number[]; filesDeleted: number }
  | { outcome: 'open-cases'; cases: string[] }
  | { outcome: 'not-found' };

export async function erasePerson(
  db: Db,
  storage: FileStorage,
  actor: EraseActor,
  accountId: string,
  options: { confirmOpenCases: boolean },
): Promise<EraseResult> {
  const record = await personRecord(db, accountId);
  if (!record || record.account.disabled_at) return { outcome: 'not-found' };
  const open = await openCasesOf(db, accountId);
  if (open.length > 0 && !(options.confirmOpenCases && actor.isAdmin))
    return { outcome: 'open-cases', cases: open.map((c) => c.number) };
  const redmineIssues = await redmineIssuesOf(db, accountId);
  const exportKeys = await db.transaction().execute(async (tx) => {
    await eraseRows(tx, accountId, record.files);
    const keys = await deleteSelfExportsOf(tx, accountId);
    await audit(tx, {
      actorAccountId: actor.accountId,
      actorKind: 'staff',
      action: 'person.erase',
      subjectType: 'account',
      subjectId: accountId,
      ip: actor.ip,
      details: { files: record.files.length, openCasesConfirmed: open.length, redmineIssues, exports: keys.length },
    });
    return keys;
  });
  // The rows are gone: the bytes go next (a failure here leaves unreachable bytes, never a row without its file).
  for (const f of record.files) await storage.delete(f.storageKey);
  for (const key of exportKeys) await storage.delete(key);
  return { outcome: 'erased', redmineIssues, filesDeleted: record.files.length };
}
