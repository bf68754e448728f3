// Redmine connector: a thin typed client of the REST API, its errors, and the note marker that
// guards against double notes.
export { createRedmineClient, looksLikeApiKey, sanitizeFilename, verifyRedmineCredentials } from './client.js';
export { AttachmentTooLargeError, SwitchUserError, isAttachmentTooLarge, isSwitchUserError } from './errors.js';
export {
  findNoteByMarker,
  hasNoteMarker,
  neutralizeMarkers,
  noteMarker,
  noteMarkerRefs,
  stripNoteMarkers,
  withNoteMarker,
} from './notes.js';
export type * from './types.js';
