// A client's contacts on the record: staff add one, change its state (one default per kind,
// replacing a default after a confirmation), record a letter sent to a postal address and send an
// SMS to a phone number through the SMS connector.
import type { FastifyInstance } from 'fastify';
import { configuredSmsProvider } from '../../../app/sms.js';
import { normalisePhone } from '../../../domain/phone.js';
import { smsMessage } from '../../../domain/sms-segments.js';
import { addClientContact, changeContactState } from '../../../app/client-records.js';
import { defaultContact, findContact, recordContactAction } from '../../../db/clients.js';
import { pageContext, sendPage, translator } from '../../context.js';
import { parseForm, typedForm } from '../../forms.js';
import { idParams } from '../../params.js';
import { staffOf } from '../../plugins/access.js';
import { contactSchema, contactStateSchema, letterSchema, smsSchema } from './forms.js';
import { confirmDefaultPage } from './pages.js';
import { contactParams, done, type ClientRecordKit } from './record.js';
import { clientHeadingOf, contactViewOf } from './view-models.js';

export function contactRoutes(app: FastifyInstance, kit: ClientRecordKit) {
  addContactRoute(app, kit);
  contactStateRoute(app, kit);
  letterRoute(app, kit);
  smsRoute(app, kit);
}

function addContactRoute(app: FastifyInstance, { renderRecord, loadClient }: ClientRecordKit) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;
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
      await addClientContact(db, { id: staff.id, ip: request.ip }, client.id, parsed.values);
      return reply.redirect(done(client.id, 'ajout'), 303);
    },
  );
}

function contactStateRoute(app: FastifyInstance, { renderRecord, loadClient }: ClientRecordKit) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;
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
      await changeContactState(db, { id: staff.id, ip: request.ip }, client.id, contact, state);
      return reply.redirect(done(client.id, 'etat'), 303);
    },
  );
}

function letterRoute(app: FastifyInstance, { renderRecord, loadClient }: ClientRecordKit) {
  const csrf = app.csrfProtection.bind(app);
  const { db } = app.deps;
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
}

function smsRoute(app: FastifyInstance, { renderRecord, loadClient }: ClientRecordKit) {
  const csrf = app.csrfProtection.bind(app);
  const { db, config } = app.deps;
  const sms = configuredSmsProvider(db, config);
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
      // The provider takes E.164: a number that is no mobile (a landline, a typo) is refused here.
      const phone = contact.kind === 'phone' ? normalisePhone(contact.value) : undefined;
      const errors = !phone?.ok || contact.state === 'invalid' ? [t.clients.smsOnlyPhone] : [];
      if (!parsed.ok) errors.push(...parsed.errors);
      const typed = { sms: { contactId: contact.id, body: typedForm(request.body, ['body']).body } };
      if (!parsed.ok || !phone?.ok || errors.length > 0)
        return renderRecord(request, reply, client, { errors, typed }, 400);
      const { body } = parsed.values;
      try {
        await sms.send(smsMessage(phone.e164, body));
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
}
