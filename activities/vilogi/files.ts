// A Vilogi request's files: each downloaded and passed through the one inspection, then stored
// for the conversation (refused ones named with their reason, nothing of theirs kept).
import type { NewAttachment } from '../../db/conversations.js';
import type { VilogiRequest } from '../../connectors/vilogi/index.js';
import { MAX_FILE_BYTES, checkName, type FileRefusal } from '../../domain/files.js';
import { inspectFile, isRefusal, readLimited, type InspectedFile } from '../../app/inspection/index.js';
import type { FileStorage } from '../../app/file-storage.js';
import type { VilogiSettings } from './deps.js';
import { refusalText } from './origin.js';

export function createFileSteps(settings: () => VilogiSettings, storage: FileStorage) {
  /** Downloads one of the request's files and passes it through the one inspection. */
  async function inspectAttachment(
    request: VilogiRequest,
    a: VilogiRequest['attachments'][number],
  ): Promise<InspectedFile | FileRefusal> {
    const checked = checkName(a.fileName);
    if ('reason' in checked) return checked;
    // The gateway's stated size spares a download; the bytes are counted anyway.
    if (a.size > MAX_FILE_BYTES) return { reason: 'too_large', name: checked.name };
    const bytes = await readLimited(await settings().client.downloadAttachment(request.id, a.id));
    // A download cut short is a passing fault (retried), not a file to refuse for good.
    if (bytes.length !== a.size)
      throw new Error(`the download of ${a.id} gave ${bytes.length} bytes, Vilogi states ${a.size}`);
    return inspectFile(a.fileName, bytes);
  }

  /** Downloads the request's files into storage, each through the one inspection. Refused
   * files are named in the returned lines, with the reason; nothing of theirs is kept. */
  async function storeAttachments(request: VilogiRequest): Promise<{ files: NewAttachment[]; refused: string[] }> {
    const files: NewAttachment[] = [];
    const refused: string[] = [];
    try {
      for (const a of request.attachments) {
        const inspected = await inspectAttachment(request, a);
        if (isRefusal(inspected)) {
          refused.push(`${inspected.name} (${refusalText(inspected.reason)})`);
          continue;
        }
        const stored = await storage.put(inspected);
        files.push({
          fileName: inspected.name,
          contentType: inspected.contentType,
          sizeBytes: stored.sizeBytes,
          sha256: stored.sha256,
          storageKey: stored.key,
        });
      }
    } catch (err) {
      await Promise.all(files.map((f) => storage.delete(f.storageKey)));
      throw err;
    }
    return { files, refused };
  }

  return { inspectAttachment, storeAttachments };
}
