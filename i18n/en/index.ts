// English: the second language of the client space. Assembles the per-feature catalogues in i18n/en/; typed from the
// French one, so a missing key does not compile.
import type { Messages } from '../fr/index.js';
import { top, nav, login, password, errors, files, access, backoffice, staffLogin, dev, devSms } from './common.js';
import { conversations, status, compose, thread, ack, messageStates, staff } from './conversations.js';
import { mail } from './mail.js';
import { answerMail } from './answer-mail.js';
import { sla } from './sla.js';
import { templates } from './templates.js';
import { settings } from './settings.js';
import { clients, clientView } from './clients.js';
import { vilogi } from './vilogi.js';
import { documents } from './documents.js';
import { caseAdmin, procedures, caseList } from './cases.js';
import { caseRecord } from './case-record.js';
import { contributors } from './contributors.js';
import { team } from './team.js';
import { spaces } from './spaces.js';
import { preferences } from './preferences.js';
import { api, apiTokens } from './api.js';
import { webhooks } from './webhooks.js';
import { dataRights } from './data-rights.js';
import { selfExport } from './self-export.js';

export const en: Messages = {
  ...top,
  nav,
  login,
  password,
  conversations,
  status,
  compose,
  thread,
  files,
  errors,
  ack,
  mail,
  answerMail,
  sla,
  staff,
  dev,
  access,
  backoffice,
  templates,
  settings,
  staffLogin,
  clients,
  devSms,
  messageStates,
  vilogi,
  documents,
  caseAdmin,
  procedures,
  caseList,
  contributors,
  caseRecord,
  clientView,
  team,
  spaces,
  preferences,
  api,
  apiTokens,
  webhooks,
  dataRights,
  selfExport,
};
