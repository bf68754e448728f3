// The Excel exports' columns: what each sheet shows of a case, a contact or a message, in the
// staff member's language (the workbook itself is written by xlsx.ts).
import type { CaseListRow } from '../../../../db/case-list.js';
import type { CaseStatus } from '../../../../db/database.js';
import type { ContactExportRow, MessageExportRow } from '../../../../db/exports.js';
import type { Messages } from '../../../../i18n/index.js';
import { AMOUNT_FORMAT, DATE_FORMAT, type SheetColumn } from './xlsx.js';

function statusText(t: Messages, status: CaseStatus): string {
  return t.documents.caseStatus[status];
}

export function caseColumns(t: Messages): Array<SheetColumn<CaseListRow>> {
  const c = t.caseList;
  return [
    { header: c.colNumber, width: 22, value: (r) => r.number },
    { header: c.colTitle, width: 40, value: (r) => r.title },
    { header: c.colClient, width: 26, value: (r) => r.clientName },
    { header: c.colEmail, width: 30, value: (r) => r.clientEmail },
    { header: c.colSpace, width: 22, value: (r) => r.spaceName },
    { header: c.colState, width: 18, value: (r) => statusText(t, r.status) },
    { header: c.colPayment, width: 12, value: (r) => c.paymentState[r.paymentState] },
    {
      header: c.colAmount,
      width: 14,
      numFmt: AMOUNT_FORMAT,
      value: (r) => (r.paymentAmountCents === null ? null : r.paymentAmountCents / 100),
    },
    { header: c.colAssignee, width: 24, value: (r) => r.assigneeName ?? '' },
    { header: c.colCreated, width: 18, numFmt: DATE_FORMAT, value: (r) => r.createdAt },
  ];
}

export function contactColumns(t: Messages): Array<SheetColumn<ContactExportRow>> {
  const c = t.caseList;
  return [
    { header: c.colClient, width: 26, value: (r) => r.clientName },
    { header: c.colEmail, width: 30, value: (r) => r.clientEmail },
    { header: c.colSpaces, width: 30, value: (r) => r.spaces },
    { header: c.colContactKind, width: 18, value: (r) => (r.kind ? c.contactKind[r.kind] : '') },
    { header: c.colContactValue, width: 40, value: (r) => r.value ?? '' },
    { header: c.colContactState, width: 20, value: (r) => (r.state ? c.contactState[r.state] : '') },
    { header: c.colObservation, width: 40, value: (r) => r.observation },
  ];
}

export function messageColumns(t: Messages): Array<SheetColumn<MessageExportRow>> {
  const c = t.caseList;
  return [
    { header: c.colDate, width: 18, numFmt: DATE_FORMAT, value: (r) => r.createdAt },
    { header: c.colSpace, width: 22, value: (r) => r.spaceName },
    { header: c.colConversation, width: 36, value: (r) => r.subject },
    { header: c.colClient, width: 26, value: (r) => r.clientName },
    { header: c.colEmail, width: 30, value: (r) => r.clientEmail },
    { header: c.colAuthorKind, width: 14, value: (r) => c.authorKind[r.authorKind] },
    { header: c.colAuthor, width: 24, value: (r) => r.authorName },
    { header: c.colBody, width: 80, value: (r) => r.body },
    {
      header: c.colMessageState,
      width: 14,
      value: (r) => (r.authorKind === 'client' ? c.messageState[r.staffState] : ''),
    },
  ];
}
