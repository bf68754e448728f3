// The download decision: what a client gets of a case's file while the case is unpaid (the
// original, a stamped copy, or nothing; seed 003), where a file is stored (Guichet's storage or
// Redmine), and how every file is handed out (always an attachment, never shown inline, never
// cached). Pure: server/downloads.ts streams the file and writes the audit entry.

/** The administrator's setting for the downloads of unpaid cases. */
export type UnpaidMode = 'off' | 'watermark' | 'block';

export const UNPAID_MODES: readonly UnpaidMode[] = ['off', 'watermark', 'block'];

export function isUnpaidMode(value: unknown): value is UnpaidMode {
  return typeof value === 'string' && (UNPAID_MODES as readonly string[]).includes(value);
}

/** What a download gives: the original, a stamped copy, or nothing. */
export type DownloadDecision = 'original' | 'stamp' | 'block';
/** Why a client's downloads are restricted, for the page and the refusal. */
export type UnpaidRestriction = 'none' | 'watermark' | 'block';

/** The restriction on a client's downloads from this case right now. */
export function unpaidRestriction(input: {
  mode: UnpaidMode;
  paymentState: 'paid' | 'unpaid';
  exempt: boolean;
}): UnpaidRestriction {
  if (input.paymentState === 'paid' || input.exempt || input.mode === 'off') return 'none';
  return input.mode;
}

/**
 * Staff always get the original. In watermark mode a PDF is stamped; any other file is refused:
 * an image cannot carry a stamp that a viewer cannot crop away, and serving it unstamped would
 * hand out the unpaid work whole, so the safer side is to keep it until the case is paid.
 */
export function downloadDecision(
  viewer: 'client' | 'staff',
  restriction: UnpaidRestriction,
  contentType: string,
): DownloadDecision {
  if (viewer === 'staff' || restriction === 'none') return 'original';
  if (restriction === 'block') return 'block';
  return contentType === 'application/pdf' ? 'stamp' : 'block';
}

/** Storage keys of files that live in Redmine (a public note's files). */
export const REDMINE_KEY_PREFIX = 'redmine:';

/** Whether a file is read from Redmine rather than from Guichet's storage. */
export function isStoredInRedmine(storageKey: string): boolean {
  return storageKey.startsWith(REDMINE_KEY_PREFIX);
}

/** Always a download: an ASCII name for old clients, the exact name in UTF-8 for the others. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/**
 * The headers of a file handed out, in the order they are set: its length when known, no content
 * type of the browser's guessing, an attachment (never shown inline), never cached.
 */
export function downloadHeaders(fileName: string, size: number | undefined): Array<[string, string | number]> {
  return [
    ...(size !== undefined ? [['content-length', size] as [string, number]] : []),
    ['content-type', 'application/octet-stream'],
    ['content-disposition', contentDisposition(fileName)],
    ['cache-control', 'private, no-store'],
  ];
}
