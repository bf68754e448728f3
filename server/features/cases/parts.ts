// What other features use of the cases feature: the case page's view model, its assignment,
// notepad and case-record sections, the unpaid-cases setting and exemption, and the client's
// case-file download. Never routes: each feature registers its own.
export type { CaseView } from './case-view.js';
export { caseWork } from './list/work.js';
export { caseWorkSections } from './list/pages.js';
export type { CaseWork } from './list/view-models.js';
export {
  caseRecordFlash,
  clientCaseRecordSection,
  notifyOnOpenField,
  staffCaseRecordSections,
  unpaidExemptSection,
  unpaidSettingsSection,
} from './record/pages.js';
export type { CaseRecordTyped } from './record/view-models.js';
export { sendClientCaseDownload, type CaseDownloadFile } from './record/download.js';
