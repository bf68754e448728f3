// English: each person's rights on the client record (export, erasure).
import type * as French from '../fr/data-rights.js';

export const dataRights: typeof French.dataRights = {
  title: 'Personal data',
  help: 'Export everything Guichet holds about this client (GDPR, articles 15 and 20), or erase it (article 17).',
  export: 'Export their data (zip)',
  erase: 'Erase this client',
  eraseHelp:
    'Their files and documents are deleted; their messages are kept for the organisation’s records, signed “Client supprimé”; their account is closed. Redmine issues are never deleted: you get their list.',
  confirmOpen: 'I am an administrator and confirm the erasure although cases are not closed',
  openCases: (numbers: string) =>
    `This client has cases not closed (${numbers}): nothing was erased. An administrator may confirm the erasure by ticking the box.`,
  erasedTitle: 'Client erased',
  erased: (files: number) => `The client is erased: ${files} file(s) deleted, their account is closed.`,
  redmineIssues: 'Redmine issues to handle by hand (Guichet does not delete them):',
  noRedmineIssues: 'No Redmine issue.',
  back: 'Back to clients',
};
