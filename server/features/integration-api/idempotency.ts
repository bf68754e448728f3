// Idempotency-Key on every write of the integration API. The first request with a key claims it
// (a primary key per token and key: of two concurrent duplicates one runs, the other gets 409);
// its answer (status and body) is kept for 24 hours and replayed to the same key with the same
// request; the same key with another request is a 422 problem. A server error keeps nothing, so
// the request can be tried again with its key. The request's digest covers the method, the URL
// and the JSON body; for a streamed file, the file name and the declared length (the bytes are
// stored as they stream, never held to be hashed first).
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../../../db/api-idempotency.js';
import { translator } from '../../context.js';
import { sendProblem } from '../../problem.js';
import { apiScopeOf } from '../../plugins/access.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The key this request claimed (its answer is then kept), if any. */
    idempotencyClaim?: { tokenId: string; key: string };
  }
  interface FastifyContextConfig {
    /** The Location header of a replayed 201, made from the kept answer's body (only the status and
     * body are kept). */
    replayLocation?: (body: unknown) => string | undefined;
  }
}

function requestDigest(request: FastifyRequest): string {
  const body =
    request.body === undefined || typeof (request.body as { pipe?: unknown })?.pipe === 'function'
      ? { fileName: request.headers['x-file-name'] ?? null, length: request.headers['content-length'] ?? null }
      : request.body;
  return createHash('sha256')
    .update(JSON.stringify([request.method, request.url, body]))
    .digest('hex');
}

export async function idempotencyPreHandler(request: FastifyRequest, reply: FastifyReply) {
  if (apiScopeOf(request.routeOptions.config?.access) !== 'write') return;
  const token = request.apiToken;
  const key = request.headers['idempotency-key'];
  if (!token || typeof key !== 'string' || key === '') return;
  const { db } = request.server.deps;
  const claim = await claimIdempotencyKey(db, token.id, key, requestDigest(request));
  const t = translator(request).api;
  if (claim.kind === 'claimed') {
    request.idempotencyClaim = { tokenId: token.id, key };
    return;
  }
  // The request is answered here: a streamed body left unread is dropped.
  if (typeof (request.body as { resume?: unknown })?.resume === 'function')
    (request.body as NodeJS.ReadableStream).resume();
  if (claim.kind === 'mismatch')
    return sendProblem(reply, 422, 'idempotency-mismatch', t.unprocessable, t.idempotencyMismatch);
  if (claim.kind === 'in_progress')
    return sendProblem(reply, 409, 'idempotency-in-progress', t.conflict, t.idempotencyInProgress);
  reply.header('idempotent-replayed', 'true');
  const replayLocation = request.routeOptions.config?.replayLocation;
  if (claim.status === 201 && replayLocation) {
    let location: string | undefined;
    try {
      location = replayLocation(JSON.parse(claim.body));
    } catch {
      location = undefined;
    }
    if (location) reply.header('location', location);
  }
  return reply.status(claim.status).type(claim.contentType).send(claim.body);
}

export async function idempotencyOnSend(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
  const claim = request.idempotencyClaim;
  if (!claim) return payload;
  request.idempotencyClaim = undefined;
  const { db } = request.server.deps;
  if (reply.statusCode >= 500) {
    await releaseIdempotencyKey(db, claim.tokenId, claim.key);
    return payload;
  }
  const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
  const contentType = String(reply.getHeader('content-type') ?? 'application/json');
  await completeIdempotencyKey(db, claim.tokenId, claim.key, { status: reply.statusCode, contentType, body });
  return payload;
}

/** A caller that went away before the answer: the key is free again. */
export async function idempotencyOnAbort(request: FastifyRequest) {
  const claim = request.idempotencyClaim;
  if (!claim) return;
  request.idempotencyClaim = undefined;
  await releaseIdempotencyKey(request.server.deps.db, claim.tokenId, claim.key);
}
