// The export of everything Guichet holds about a person (GDPR articles 15 and 20): one zip,
// streamed as it is built (nothing held whole in memory), with `data.json` (account, contact
// means, preferences, conversations and their public messages, cases, contributor memberships,
// sessions, the access log lines about them) and each of their files under `files/`. The export
// is audited once the archive is handed out.
import type { Readable } from 'node:stream';
import archiver from 'archiver';
import { audit } from '../../db/audit.js';
import type { Db } from '../../db/connect.js';
import { personRecord, type PersonFile } from '../../db/data-rights.js';
import { isStoredObjectNotFound } from '../../connectors/storage/index.js';
import type { FileStorage } from '../file-storage.js';

export interface ExportActor {
  accountId: string;
  kind: 'staff' | 'client';
  ip: string | null;
}

/** A file's place in the archive: its kind, its id and its name (made safe for a zip path). */
export function archivePath(f: PersonFile): string {
  // Only letters, digits and a few marks: no path separator, no control character.
  const safe = f.fileName.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 120) || 'fichier';
  return `files/${f.kind}s/${f.id}-${safe}`;
}

/** The archive as a stream, or undefined when there is no such client. */
export async function exportPerson(
  db: Db,
  storage: FileStorage,
  actor: ExportActor,
  accountId: string,
): Promise<Readable | undefined> {
  const record = await personRecord(db, accountId);
  if (!record) return undefined;
  const zip = archiver('zip', { zlib: { level: 6 } });
  const { files, ...data } = record;
  const listed = files.map((f) => ({ kind: f.kind, id: f.id, fileName: f.fileName, path: archivePath(f) }));
  zip.append(JSON.stringify({ exportedAt: new Date().toISOString(), ...data, files: listed }, null, 2), {
    name: 'data.json',
  });
  // Files one after the other: archiver reads each stream only when its turn comes.
  void (async () => {
    try {
      for (const f of files) {
        try {
          zip.append(await storage.get(f.storageKey), { name: archivePath(f) });
        } catch (err) {
          if (!isStoredObjectNotFound(err)) throw err;
        }
      }
      await zip.finalize();
    } catch (err) {
      zip.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  })();
  await audit(db, {
    actorAccountId: actor.accountId,
    actorKind: actor.kind,
    action: 'person.export',
    subjectType: 'account',
    subjectId: accountId,
    ip: actor.ip,
    details: { files: files.length },
  });
  return zip;
}
