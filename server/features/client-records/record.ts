// What the client record routes share: the client of the URL (404 when the staff member's spaces do
// not reach it), the record page rendered again with its errors, typed text or notice, and the
// redirect after a change with the notice it shows.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findClient, listClientFiles, listContactActions, listContacts } from '../../../db/clients.js';
import type { Account } from '../../../db/database.js';
import type { Messages } from '../../../i18n/index.js';
import { pageContext, sendPage } from '../../context.js';
import { idParams } from '../../params.js';
import { listClientViews, mayViewClientSpaces } from '../../../db/client-views.js';
import { staffOf } from '../../plugins/access.js';
import { clientRecordPage } from './pages.js';
import {
  clientFileViewOf,
  clientHeadingOf,
  clientViewLogEntryOf,
  contactActionViewOf,
  contactViewOf,
  type ClientRecordView,
} from './view-models.js';

export const contactParams = {
  type: 'object',
  properties: { id: idParams.properties.id, contactId: idParams.properties.id },
  required: ['id', 'contactId'],
} as const;

export type ClientRequest = FastifyRequest<{ Params: { id: string } }>;

/** What the record page shows besides the stored record: the refused form, or a notice. */
export type RecordExtra = Partial<Pick<ClientRecordView, 'errors' | 'typed' | 'showInvalid'>> & { flash?: string };

export interface ClientRecordKit {
  /** The record page of the client, with the refused form's errors and typed text or a notice. */
  renderRecord: (
    request: ClientRequest,
    reply: FastifyReply,
    client: Account,
    extra?: RecordExtra,
    status?: number,
  ) => Promise<FastifyReply>;
  /** The client of the URL if the staff member's spaces reach it; otherwise 404, as if it did not exist. */
  loadClient: (request: ClientRequest, reply: FastifyReply) => Promise<Account | undefined>;
}

export function clientRecordKit(app: FastifyInstance): ClientRecordKit {
  const { db } = app.deps;

  async function renderRecord(
    request: ClientRequest,
    reply: FastifyReply,
    client: Account,
    extra: RecordExtra = {},
    status = 200,
  ) {
    const mayView = mayViewClientSpaces(staffOf(request));
    const [contacts, actions, files, views] = await Promise.all([
      listContacts(db, client.id),
      listContactActions(db, client.id),
      listClientFiles(db, client.id),
      mayView ? listClientViews(db, client.id) : Promise.resolve(undefined),
    ]);
    const query = request.query as { invalides?: string } | undefined;
    const view: ClientRecordView = {
      client: clientHeadingOf(client),
      contacts: contacts.map(contactViewOf),
      actions: actions.map(contactActionViewOf),
      files: files.map(clientFileViewOf),
      showInvalid: extra.showInvalid ?? query?.invalides === '1',
      errors: extra.errors ?? [],
      ...(extra.typed ? { typed: extra.typed } : {}),
      ...(views ? { views: views.map(clientViewLogEntryOf) } : {}),
    };
    const flash = extra.flash ? { kind: 'info' as const, text: extra.flash } : undefined;
    return sendPage(reply, clientRecordPage(pageContext(request, reply, { area: 'staff', flash }), view), status);
  }

  async function loadClient(request: ClientRequest, reply: FastifyReply): Promise<Account | undefined> {
    const client = await findClient(db, request.params.id, request.staffScope);
    if (!client) void reply.callNotFound();
    return client;
  }

  return { renderRecord, loadClient };
}

/** The record page after a change, with the notice `what` names. */
export const done = (clientId: string, what: string) => `/back-office/clients/${clientId}?fait=${what}`;

/** The notices of the record page, by the `fait` value of the redirect. */
export const flashes = (t: Messages): Record<string, string> => ({
  ajout: t.clients.added,
  etat: t.clients.stateChanged,
  observation: t.clients.observationSaved,
  courrier: t.clients.letterRecorded,
  sms: t.clients.smsSent,
  fichier: t.clients.fileAdded,
  impayes: t.caseRecord.exemptSaved,
  'vue-fin': t.clientView.ended,
});
