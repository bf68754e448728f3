// The steps of a client's own export (workflows/self-export.ts): build and store the archive, put
// the e-mail with the link in the outbox, delete the archive and the row at expiry. Each is safe
// to repeat (app/data-rights/self-export.ts).
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/connect.js';
import type { FileStorage } from '../app/file-storage.js';
import { buildSelfExport, expireSelfExport, queueSelfExportMail } from '../app/data-rights/self-export.js';
import { whileAlive } from './heartbeat.js';

export interface SelfExportActivityDeps {
  db: Db;
  storage: FileStorage;
  publicUrl: string;
}

export function createSelfExportActivities({ db, storage, publicUrl }: SelfExportActivityDeps) {
  return {
    // A large archive takes a while: Temporal is told the attempt is alive while it is written.
    async buildSelfExport(input: { exportId: string; accountId: string }) {
      const built = await whileAlive(() => buildSelfExport(db, storage, input.exportId, input.accountId));
      if (built.outcome === 'not-visible')
        throw ApplicationFailure.retryable(`self export ${input.exportId} is not visible yet`, 'NotYetVisible');
      return built;
    },
    queueSelfExportMail: (exportId: string) => queueSelfExportMail(db, publicUrl, exportId),
    expireSelfExport: (exportId: string) => expireSelfExport(db, storage, exportId),
  };
}
