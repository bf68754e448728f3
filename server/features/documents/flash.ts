// The notices of the case pages after a redirect (`?ok=…`): the documents', the contributors' and
// the case record's, read back from the query in the visitor's language.
import type { Messages } from '../../../i18n/index.js';
import { caseRecordFlash } from '../cases/parts.js';

export type Flash =
  | 'deposited'
  | 'split'
  | 'withdrawn'
  | 'comment'
  | 'reviewed'
  | 'closed'
  | 'late'
  | 'opened'
  | 'person-added'
  | 'person-invited'
  | 'person-revoked'
  | 'invitation-accepted'
  | 'invitation-password';

export function flashText(
  t: Messages,
  query: { ok?: string; n?: string; name?: string; number?: string },
): string | undefined {
  const n = Number.parseInt(query.n ?? '1', 10) || 1;
  switch (query.ok as Flash | undefined) {
    case 'deposited':
      return t.documents.uploaded(n, query.name ?? '');
    case 'split':
      return t.documents.splitDone(n);
    case 'withdrawn':
      return t.documents.withdrawn(query.name ?? '');
    case 'comment':
      return t.documents.commentSent;
    case 'reviewed':
      return t.documents.reviewed;
    case 'closed':
      return t.documents.closed;
    case 'late':
      return t.documents.withdrawTooLate;
    case 'opened':
      return t.caseAdmin.opened(query.number ?? '');
    case 'person-added':
      return t.contributors.added(query.name ?? '');
    case 'person-invited':
      return t.contributors.invited(query.name ?? '');
    case 'person-revoked':
      return t.contributors.revoked(query.name ?? '');
    case 'invitation-accepted':
      return t.contributors.accepted;
    case 'invitation-password':
      return t.contributors.passwordSent;
    default:
      return caseRecordFlash(t, query);
  }
}

export function flashUrl(base: string, ok: Flash, extra: Record<string, string | number> = {}, anchor = ''): string {
  const params = new URLSearchParams({
    ok,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])),
  });
  return `${base}?${params.toString()}${anchor}`;
}
