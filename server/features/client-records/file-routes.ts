// Files attached to a client record: staff upload them (storage connector) and download them,
// each download audited.
import type { FastifyInstance } from 'fastify';
import { isStoredObjectNotFound } from '../../../connectors/storage/index.js';
import { audit } from '../../../db/audit.js';
import { addClientFile, findClient, findClientFile } from '../../../db/clients.js';
import { translator } from '../../context.js';
import { contentDisposition } from '../../../domain/downloads.js';
import { discardFiles, formErrors, readFormFields, receiveFiles, type ReceivedFile } from '../../uploads.js';
import { attachmentParams, idParams } from '../../params.js';
import { staffOf } from '../../plugins/access.js';
import { done, type ClientRecordKit } from './record.js';

export function clientFileRoutes(app: FastifyInstance, kit: ClientRecordKit) {
  uploadRoute(app, kit);
  downloadRoute(app);
}

function uploadRoute(app: FastifyInstance, { renderRecord, loadClient }: ClientRecordKit) {
  const csrf = app.csrfProtection.bind(app);
  const { db, storage } = app.deps;

  /** Records the received files on the client; none is kept in storage if one cannot be recorded. */
  async function addFiles(clientId: string, uploadedBy: string, files: readonly ReceivedFile[]) {
    try {
      for (const f of files) {
        await addClientFile(db, {
          clientId,
          fileName: f.fileName,
          contentType: f.contentType,
          sizeBytes: f.sizeBytes,
          sha256: f.sha256,
          storageKey: f.storageKey,
          uploadedBy,
        });
      }
    } catch (err) {
      await discardFiles(storage, files);
      throw err;
    }
  }

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
      await addFiles(client.id, staff.id, received.files);
      return reply.redirect(done(client.id, 'fichier'), 303);
    },
  );
}

function downloadRoute(app: FastifyInstance) {
  const { db, storage } = app.deps;

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
