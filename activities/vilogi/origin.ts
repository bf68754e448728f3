// What staff read about a Vilogi request: where it came from, and why a file of it was not taken.
import type { FileRefusal } from '../../domain/files.js';
import { formatDateTime } from '../../i18n/index.js';
import { STAFF_NOTES_LOCALE, staffNotes } from '../../i18n/notes/index.js';

/** Why a Vilogi file was not taken, as staff read it in the message or the triage issue. */
export function refusalText(reason: FileRefusal['reason']): string {
  return staffNotes().vilogiRefusal[reason];
}

/** What staff read about the request's origin (a private note, or the triage issue's description). */
export function originLines(r: {
  vilogi_id?: string;
  id?: string;
  service: string;
  building: string | null;
  lot: string | null;
  filedAt: Date;
  authorName: string;
  authorEmail: string | null;
}): string[] {
  return staffNotes().vilogiOrigin({
    id: r.vilogi_id ?? r.id ?? '',
    filedAt: formatDateTime(r.filedAt, STAFF_NOTES_LOCALE),
    authorName: r.authorName,
    authorEmail: r.authorEmail,
    service: r.service,
    building: r.building,
    lot: r.lot,
  });
}
