// The rules of the export a client asks for from their space: how long its link and archive live,
// and where the link points. Shared by the use cases, the workflow and the pages.

/** Days a ready archive is kept (and its link works); the workflow's timer then deletes it. */
export const SELF_EXPORT_DAYS = 7;

/** The page of the client's data, where they ask for an export. */
export const SELF_EXPORT_PAGE = '/mes-donnees';

/** The link sent by e-mail: works only signed in as the client whose export it is. */
export function selfExportPath(exportId: string): string {
  return `${SELF_EXPORT_PAGE}/exports/${exportId}`;
}

/** The archive's name as the client's browser saves it. */
export function selfExportFileName(readyAt: Date): string {
  return `guichet-mes-donnees-${readyAt.toISOString().slice(0, 10)}.zip`;
}
