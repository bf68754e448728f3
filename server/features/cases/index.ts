// The cases feature: opening a case and the procedure templates (admin/), the back-office case
// list with its exports, assignment and notepad (list/), and the case record (record/).
export { default as caseAdminRoutes } from './admin/routes.js';
export { default as caseListRoutes } from './list/routes.js';
export { default as caseRecordRoutes } from './record/routes.js';
