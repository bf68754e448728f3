// A thin typed client of Redmine's REST API (5.0 and later). Redmine's JSON shapes stay in this
// folder (raw.ts, converted in convert.ts); callers get our own types (types.ts). The client is
// put together from one part per family of calls: issues, notes, files, users and permissions,
// the instance's set-up, all over one transport. Traps worked around are described in
// shared/docs/redmine-api.md and at each method.
import { createIssueCalls } from './issues.js';
import { createNoteCalls } from './journals.js';
import { createNoteBatchCalls } from './note-batches.js';
import { createSetupCalls } from './setup.js';
import { createRedmineTransport } from './transport.js';
import type { RedmineClient, RedmineClientOptions } from './types.js';
import { createUploadCalls } from './uploads.js';
import { createUserCalls } from './users.js';

export { looksLikeApiKey, verifyRedmineCredentials } from './credentials.js';
export { sanitizeFilename } from './uploads.js';

export function createRedmineClient(options: RedmineClientOptions): RedmineClient {
  const transport = createRedmineTransport(options);
  const issues = createIssueCalls(transport);
  const notes = createNoteCalls(transport, issues.getIssue);
  return {
    baseUrl: transport.baseUrl,
    ...createSetupCalls(transport),
    ...issues,
    ...notes,
    ...createNoteBatchCalls(notes.addNote, issues.getIssue),
    ...createUploadCalls(transport),
    ...createUserCalls(transport),
  };
}
