// Back-office: client records. Contacts with their states (one default per kind, changed after
// a confirmation), call / e-mail links, letters recorded, SMS through the SMS connector, files
// attached to the record (storage connector), an observation staff share.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createSmsProvider } from '../../../connectors/sms/index.js';
import { recordDevSms } from '../../../db/dev-outbox.js';
import { isStoredObjectNotFound } from '../../../connectors/storage/index.js';
import { audit } from '../../../db/audit.js';
import {
  addClientFile,
  addContact,
  defaultContact,
  findClient,
  findClientFile,
  findContact,
  listClientFiles,
  listClients,
  listContactActions,
  listContacts,
  recordContactAction,
  setContactState,
  setObservation,
} from '../../../db/clients.js';
import type { Account } from '../../../db/database.js';
import type { Messages } from '../../../i18n/index.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { contentDisposition } from '../../../domain/downloads.js';
import { parseForm, typedForm } from '../../forms.js';
import { discardFiles, formErrors, readFormFields, receiveFiles } from '../../uploads.js';
import { attachmentParams, idParams } from '../../params.js';
import {
  endClientView,
  listClientViews,
  mayViewClientSpaces,
  REASON_MAX,
  startClientView,
  VIEW_MINUTES,
} from '../../../db/client-views.js';
import { newToken, tokenDigest } from '../../../domain/tokens.js';
import { errorPage } from '../../views/layout.js';
import { staffOf } from '../../plugins/access.js';
import {
  contactSchema,
  contactStateSchema,
  letterSchema,
  observationSchema,
  smsSchema,
  typedReason,
  viewReasonSchema,
} from './forms.js';
import { clientListPage, clientRecordPage, confirmDefaultPage } from './pages.js';
import {
  clientFileViewOf,
  clientHeadingOf,
  clientListItemOf,
  clientViewLogEntryOf,
  contactActionViewOf,
  contactViewOf,
  type ClientRecordView,
} from './view-models.js';

const contactParams = {
  type: 'object',
  properties: { id: idParams.properties.id, contactId: idParams.properties.id },
  required: ['id', 'contactId'],
} as const;

type ClientRequest = FastifyRequest<{ Params: { id: string } }>;

export default function clientRecordRoutes(app: FastifyInstance) {
  const csrf = app.csrfProtection.bind(app);
  const { db, storage, config } = app.deps;
  const sms = createSmsProvider({ provider: config.SMS_PROVIDER, outbox: (message) => recordDevSms(db, message) });

  app.get<{ Querystring: { q?: string; page?: string; vue?: string } }>(
    '/back-office/clients',
    { config: { access: 'staff' }, schema: { hide: true } },
    async (request, reply) => {
      const pageSize = request.settings?.rowsPerPage ?? 25;
      const page = Math.max(1, Number.parseInt(request.query.page ?? '1', 10) || 1);
      const search = (request.query.q ?? '').slice(0, 200);
      const list = await listClients(db, {
        scope: request.staffScope,
        search,
        limit: pageSize,
        offset: (page - 1) * pageSize,
      });
      const pages = Math.max(1, Math.ceil(list.total / pageSize));
      // A view of a client's space that ended (its time limit, or another tab) lands here.
      const flash =
        request.query.vue === 'terminee'
          ? { kind: 'info' as const, text: translator(request, 'staff').clientView.ended }
          : undefined;
      return sendPage(
        reply,
        clientListPage(pageContext(request, reply, { area: 'staff', flash }), search, {
          items: list.items.map(clientListItemOf),
          page,
          pages,
        }),
      );
    },
  );

  async function renderRecord(
    request: ClientRequest,
    reply: FastifyReply,
    client: Account,
    extra: Partial<Pick<ClientRecordView, 'errors' | 'typed' | 'showInvalid'>> & { flash?: string } = {},
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

  /** The client of the URL if the staff member's spaces reach it; otherwise 404, as if it did not exist. */
  async function loadClient(request: ClientRequest, reply: FastifyReply): Promise<Account | undefined> {
    const client = await findClient(db, request.params.id, request.staffScope);
    if (!client) void reply.callNotFound();
    return client;
  }

  const done = (clientId: string, what: string) => `/back-office/clients/${clientId}?fait=${what}`;
  const flashes = (t: Messages): Record<string, string> => ({
    ajout: t.clients.added,
    etat: t.clients.stateChanged,
    observation: t.clients.observationSaved,
    courrier: t.clients.letterRecorded,
    sms: t.clients.smsSent,
    fichier: t.clients.fileAdded,
    impayes: t.caseRecord.exemptSaved,
    'vue-fin': t.clientView.ended,
  });

  // ---- The confidential view of the client's space (seed 004) ----

  app.post<{ Params: { id: string } }>(
    '/back-office/clients/:id/vue',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const staff = staffOf(request);
      const t = translator(request, 'staff');
      if (!mayViewClientSpaces(staff))
        return sendPage(
          reply,
          errorPage(pageContext(request, reply, { area: 'staff' }), '403', t.clientView.notAllowed),
          403,
        );
      const parsed = parseForm(viewReasonSchema(t), request.body);
      if (!parsed.ok) {
        const typed = { viewReason: typedReason(request.body).slice(0, REASON_MAX) };
        return renderRecord(request, reply, client, { errors: parsed.errors, typed }, 400);
      }
      const { reason } = parsed.values;
      const token = newToken();
      await startClientView(db, {
        tokenDigest: tokenDigest(token),
        staff,
        clientId: client.id,
        reason,
        ip: request.ip,
      });
      app.setViewCookie(reply, token, VIEW_MINUTES * 60);
      return reply.redirect('/conversations', 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/clients/vues/:id/fin',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const ended = await endClientView(db, request.params.id, staffOf(request).id, request.ip);
      app.clearViewCookie(reply);
      return reply.redirect(ended ? done(ended.clientId, 'vue-fin') : '/back-office/clients', 303);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { invalides?: string; fait?: string } }>(
    '/back-office/clients/:id',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams } },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const flash = request.query.fait ? flashes(translator(request, 'staff'))[request.query.fait] : undefined;
      return renderRecord(request, reply, client, flash ? { flash } : {});
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/clients/:id/coordonnees',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const staff = staffOf(request);
      const t = translator(request, 'staff');
      const parsed = parseForm(contactSchema(t), request.body);
      if (!parsed.ok)
        return renderRecord(
          request,
          reply,
          client,
          { errors: parsed.errors, typed: typedForm(request.body, ['kind', 'value']) },
          400,
        );
      const id = await addContact(db, client.id, parsed.values.kind, parsed.values.value);
      await audit(db, {
        actorAccountId: staff.id,
        actorKind: 'staff',
        action: 'contact.add',
        subjectType: 'client_contact',
        subjectId: id,
        ip: request.ip,
      });
      return reply.redirect(done(client.id, 'ajout'), 303);
    },
  );

  app.post<{ Params: { id: string; contactId: string } }>(
    '/back-office/clients/:id/coordonnees/:contactId/etat',
    { config: { access: 'staff' }, schema: { hide: true, params: contactParams }, preHandler: csrf },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const staff = staffOf(request);
      const t = translator(request, 'staff');
      const contact = await findContact(db, client.id, request.params.contactId);
      if (!contact) return reply.callNotFound();
      const parsed = parseForm(contactStateSchema(t), request.body);
      if (!parsed.ok) return renderRecord(request, reply, client, { errors: parsed.errors }, 400);
      const { state, confirm } = parsed.values;
      if (state === contact.state) return reply.redirect(`/back-office/clients/${client.id}`, 303);
      if (state === 'default' && !confirm) {
        const current = await defaultContact(db, client.id, contact.kind);
        // Replacing a default is asked twice; a first default is not.
        if (current && current.id !== contact.id)
          return sendPage(
            reply,
            confirmDefaultPage(
              pageContext(request, reply, { area: 'staff' }),
              clientHeadingOf(client),
              contactViewOf(contact),
              contactViewOf(current),
            ),
          );
      }
      await setContactState(db, client.id, contact.id, state);
      await audit(db, {
        actorAccountId: staff.id,
        actorKind: 'staff',
        action: 'contact.state',
        subjectType: 'client_contact',
        subjectId: contact.id,
        ip: request.ip,
        details: { from: contact.state, to: state },
      });
      return reply.redirect(done(client.id, 'etat'), 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/clients/:id/observation',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: csrf },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const staff = staffOf(request);
      const t = translator(request, 'staff');
      const parsed = parseForm(observationSchema(t), request.body);
      if (!parsed.ok) {
        const typed = { observation: typedForm(request.body, ['observation']).observation.replace(/\r\n/g, '\n') };
        return renderRecord(request, reply, client, { errors: parsed.errors, typed }, 400);
      }
      await setObservation(db, client.id, parsed.values.observation);
      await audit(db, {
        actorAccountId: staff.id,
        actorKind: 'staff',
        action: 'client.observation',
        subjectType: 'account',
        subjectId: client.id,
        ip: request.ip,
      });
      return reply.redirect(done(client.id, 'observation'), 303);
    },
  );

  app.post<{ Params: { id: string; contactId: string } }>(
    '/back-office/clients/:id/coordonnees/:contactId/courrier',
    { config: { access: 'staff' }, schema: { hide: true, params: contactParams }, preHandler: csrf },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const staff = staffOf(request);
      const t = translator(request, 'staff');
      const contact = await findContact(db, client.id, request.params.contactId);
      if (!contact) return reply.callNotFound();
      if (contact.kind !== 'postal' || contact.state === 'invalid')
        return renderRecord(request, reply, client, { errors: [t.clients.letterOnlyPostal] }, 400);
      const parsed = parseForm(letterSchema, request.body);
      const body = parsed.ok ? parsed.values.body : '';
      await recordContactAction(db, {
        clientId: client.id,
        contactId: contact.id,
        kind: 'letter',
        staffId: staff.id,
        body,
      });
      return reply.redirect(done(client.id, 'courrier'), 303);
    },
  );

  app.post<{ Params: { id: string; contactId: string } }>(
    '/back-office/clients/:id/coordonnees/:contactId/sms',
    { config: { access: 'staff' }, schema: { hide: true, params: contactParams }, preHandler: csrf },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const staff = staffOf(request);
      const t = translator(request, 'staff');
      const contact = await findContact(db, client.id, request.params.contactId);
      if (!contact) return reply.callNotFound();
      const parsed = parseForm(smsSchema(t), request.body);
      const errors = contact.kind !== 'phone' || contact.state === 'invalid' ? [t.clients.smsOnlyPhone] : [];
      if (!parsed.ok) errors.push(...parsed.errors);
      const typed = { sms: { contactId: contact.id, body: typedForm(request.body, ['body']).body } };
      if (!parsed.ok || errors.length > 0) return renderRecord(request, reply, client, { errors, typed }, 400);
      const { body } = parsed.values;
      try {
        await sms.send({ to: contact.value, body });
      } catch (err) {
        request.log.error({ err }, 'an SMS could not be sent');
        return renderRecord(request, reply, client, { errors: [t.clients.smsFailed], typed }, 503);
      }
      await recordContactAction(db, {
        clientId: client.id,
        contactId: contact.id,
        kind: 'sms',
        staffId: staff.id,
        body,
      });
      return reply.redirect(done(client.id, 'sms'), 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/back-office/clients/:id/fichiers',
    { config: { access: 'staff' }, schema: { hide: true, params: idParams }, preHandler: [readFormFields, csrf] },
    async (request, reply) => {
      const client = await loadClient(request, reply);
      if (!client) return reply;
      const staff = staffOf(request);
      const t = translator(request, 'staff');
      const received = await receiveFiles(app, request, storage);
      const errors = formErrors(t, received.attempted === 0 ? [t.clients.fileRequired] : [], received);
      if (errors.length > 0) {
        await discardFiles(storage, received.files);
        return renderRecord(request, reply, client, { errors }, 400);
      }
      try {
        for (const f of received.files) {
          await addClientFile(db, {
            clientId: client.id,
            fileName: f.fileName,
            contentType: f.contentType,
            sizeBytes: f.sizeBytes,
            sha256: f.sha256,
            storageKey: f.storageKey,
            uploadedBy: staff.id,
          });
        }
      } catch (err) {
        await discardFiles(storage, received.files);
        throw err;
      }
      return reply.redirect(done(client.id, 'fichier'), 303);
    },
  );

  app.get<{ Params: { id: string; attachmentId: string } }>(
    '/back-office/clients/:id/fichiers/:attachmentId',
    { config: { access: 'staff' }, schema: { hide: true, params: attachmentParams } },
    async (request, reply) => {
      const staff = staffOf(request);
      const client = await findClient(db, request.params.id, request.staffScope);
      const file = client ? await findClientFile(db, client.id, request.params.attachmentId) : undefined;
      if (!file) return reply.callNotFound();
      let stream;
      try {
        stream = await storage.get(file.storageKey);
      } catch (err) {
        if (isStoredObjectNotFound(err)) return reply.callNotFound();
        throw err;
      }
      await audit(db, {
        actorAccountId: staff.id,
        actorKind: 'staff',
        action: 'client_file.download',
        subjectType: 'client_file',
        subjectId: file.id,
        ip: request.ip,
      });
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', file.sizeBytes)
        .header('content-disposition', contentDisposition(file.fileName))
        .header('cache-control', 'private, no-store')
        .send(stream);
    },
  );
}
